-- 16 (issue 16): checkouts and their lines, coupons and their redemptions
-- get tables of their own with typed columns (money in minor units of the
-- row's currency, statuses checked, references as foreign keys); the
-- documents of kinds 'checkout', 'coupon' and 'redemption' move into them.
-- Times are Unix seconds, 0 where the API answers null.
CREATE TABLE coupons (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  code TEXT NOT NULL UNIQUE,
  percent_off INTEGER NOT NULL CHECK (percent_off BETWEEN 0 AND 100),
  amount_off INTEGER NOT NULL CHECK (amount_off >= 0),
  currency TEXT NOT NULL CHECK (length(currency) = 3),
  starts_at INTEGER NOT NULL CHECK (starts_at >= 0),
  expires_at INTEGER NOT NULL CHECK (expires_at >= 0),
  max_redemptions INTEGER NOT NULL CHECK (max_redemptions >= 0),
  max_per_account INTEGER NOT NULL CHECK (max_per_account >= 0),
  services TEXT,
  min_cycle_months INTEGER NOT NULL CHECK (min_cycle_months >= 0),
  first_purchase_only INTEGER NOT NULL CHECK (first_purchase_only IN (0, 1)),
  disabled INTEGER NOT NULL CHECK (disabled IN (0, 1)),
  redemptions INTEGER NOT NULL CHECK (redemptions >= 0),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CHECK ((percent_off > 0) <> (amount_off > 0)),
  CHECK (max_redemptions = 0 OR redemptions <= max_redemptions));

CREATE TABLE checkouts (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  kind TEXT NOT NULL CHECK (kind IN ('purchase', 'conversion', 'renewal', 'recovery')),
  status TEXT NOT NULL CHECK (status IN ('open', 'paid', 'cancelled', 'expired')),
  currency TEXT NOT NULL CHECK (length(currency) = 3),
  cycle_months INTEGER NOT NULL CHECK (cycle_months > 0),
  auto_renew INTEGER NOT NULL CHECK (auto_renew IN (0, 1)),
  settlement TEXT NOT NULL CHECK (settlement IN ('prepaid', 'hold')),
  coupon_code TEXT,
  coupon_id TEXT REFERENCES coupons(id),
  coupon_percent_off INTEGER NOT NULL CHECK (coupon_percent_off BETWEEN 0 AND 100),
  coupon_amount_off INTEGER NOT NULL CHECK (coupon_amount_off >= 0),
  tax_rate_bp INTEGER NOT NULL CHECK (tax_rate_bp >= 0),
  hold_days INTEGER NOT NULL CHECK (hold_days >= 0),
  cycles TEXT NOT NULL,
  hold_amount INTEGER NOT NULL CHECK (hold_amount >= 0),
  gross INTEGER NOT NULL CHECK (gross >= 0),
  cycle_discount INTEGER NOT NULL CHECK (cycle_discount >= 0),
  subtotal INTEGER NOT NULL CHECK (subtotal >= 0),
  discount INTEGER NOT NULL CHECK (discount >= 0),
  tax INTEGER NOT NULL CHECK (tax >= 0),
  total INTEGER NOT NULL CHECK (total >= 0),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  paid_at INTEGER NOT NULL CHECK (paid_at >= 0),
  payment_id TEXT,
  origin_resource_id TEXT REFERENCES resources(id),
  updated_at INTEGER NOT NULL,
  CHECK ((status = 'paid') = (payment_id IS NOT NULL)),
  CHECK ((coupon_id IS NULL) = (coupon_code IS NULL)));
CREATE INDEX checkouts_by_account ON checkouts(account_id, seq);
CREATE INDEX checkouts_open_due ON checkouts(expires_at) WHERE status = 'open';

CREATE TABLE checkout_lines (
  checkout_id TEXT NOT NULL REFERENCES checkouts(id),
  position INTEGER NOT NULL CHECK (position >= 0),
  resource_id TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  resource_name TEXT NOT NULL,
  item_id TEXT NOT NULL,
  item_name TEXT NOT NULL,
  service TEXT NOT NULL,
  unit TEXT NOT NULL CHECK (unit IN ('month', 'gb_month')),
  spec TEXT,
  unit_price INTEGER NOT NULL CHECK (unit_price >= 0),
  quantity INTEGER NOT NULL CHECK (quantity >= 0),
  gross INTEGER NOT NULL CHECK (gross >= 0),
  cycle_discount INTEGER NOT NULL CHECK (cycle_discount >= 0),
  amount INTEGER NOT NULL CHECK (amount >= 0),
  coupon_discount INTEGER NOT NULL CHECK (coupon_discount >= 0),
  taxable INTEGER NOT NULL CHECK (taxable >= 0),
  tax INTEGER NOT NULL CHECK (tax >= 0),
  total INTEGER NOT NULL CHECK (total >= 0),
  PRIMARY KEY (checkout_id, position));

CREATE TABLE coupon_redemptions (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  coupon_id TEXT NOT NULL REFERENCES coupons(id),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  checkout_id TEXT NOT NULL UNIQUE REFERENCES checkouts(id),
  created_at INTEGER NOT NULL);
CREATE INDEX coupon_redemptions_by_account ON coupon_redemptions(coupon_id, account_id);

INSERT INTO coupons (id, code, percent_off, amount_off, currency, starts_at, expires_at,
  max_redemptions, max_per_account, services, min_cycle_months, first_purchase_only,
  disabled, redemptions, created_at, updated_at)
SELECT id, json_extract(body, '$.code'), coalesce(json_extract(body, '$.percent_off'), 0),
  coalesce(json_extract(body, '$.amount_off'), 0), json_extract(body, '$.currency'),
  coalesce(unixepoch(json_extract(body, '$.starts_at')), 0),
  coalesce(unixepoch(json_extract(body, '$.expires_at')), 0),
  coalesce(json_extract(body, '$.max_redemptions'), 0),
  coalesce(json_extract(body, '$.max_per_account'), 0), json_extract(body, '$.services'),
  coalesce(json_extract(body, '$.min_cycle_months'), 0),
  json_extract(body, '$.first_purchase_only'), json_extract(body, '$.disabled'),
  json_extract(body, '$.redemptions'), created_at, updated_at
FROM documents WHERE kind = 'coupon' ORDER BY seq;

INSERT INTO checkouts (id, account_id, kind, status, currency, cycle_months, auto_renew,
  settlement, coupon_code, coupon_id, coupon_percent_off, coupon_amount_off, tax_rate_bp,
  hold_days, cycles, hold_amount, gross, cycle_discount, subtotal, discount, tax, total,
  created_at, expires_at, paid_at, payment_id, origin_resource_id, updated_at)
SELECT id, json_extract(body, '$.account_id'), json_extract(body, '$.kind'),
  json_extract(body, '$.status'), json_extract(body, '$.currency'),
  json_extract(body, '$.cycle_months'), json_extract(body, '$.auto_renew'),
  json_extract(body, '$.settlement'), json_extract(body, '$.coupon'),
  json_extract(body, '$.terms.coupon_id'),
  coalesce(json_extract(body, '$.terms.coupon_percent_off'), 0),
  coalesce(json_extract(body, '$.terms.coupon_amount_off'), 0),
  json_extract(body, '$.terms.tax_rate_bp'), json_extract(body, '$.terms.hold_days'),
  coalesce(json_extract(body, '$.terms.cycles'), '[]'),
  coalesce(json_extract(body, '$.hold_amount'), 0), json_extract(body, '$.gross'),
  coalesce(json_extract(body, '$.cycle_discount'), 0), json_extract(body, '$.subtotal'),
  json_extract(body, '$.discount'), json_extract(body, '$.tax'), json_extract(body, '$.total'),
  unixepoch(json_extract(body, '$.created_at')), unixepoch(json_extract(body, '$.expires_at')),
  coalesce(unixepoch(json_extract(body, '$.paid_at')), 0), json_extract(body, '$.payment_id'),
  json_extract(body, '$.origin_resource_id'), updated_at
FROM documents WHERE kind = 'checkout' ORDER BY seq;

INSERT INTO checkout_lines (checkout_id, position, resource_id, resource_type, resource_name,
  item_id, item_name, service, unit, spec, unit_price, quantity, gross, cycle_discount, amount,
  coupon_discount, taxable, tax, total)
SELECT d.id, l.key, json_extract(l.value, '$.resource_id'),
  json_extract(l.value, '$.resource_type'), json_extract(l.value, '$.resource_name'),
  json_extract(l.value, '$.item_id'), json_extract(l.value, '$.item_name'),
  json_extract(l.value, '$.service'), json_extract(l.value, '$.unit'),
  json_extract(l.value, '$.spec'), json_extract(l.value, '$.unit_price'),
  json_extract(l.value, '$.quantity'), json_extract(l.value, '$.gross'),
  json_extract(l.value, '$.cycle_discount'), json_extract(l.value, '$.amount'),
  json_extract(l.value, '$.coupon_discount'), json_extract(l.value, '$.taxable'),
  json_extract(l.value, '$.tax'), json_extract(l.value, '$.total')
FROM documents d, json_each(d.body, '$.lines') l WHERE d.kind = 'checkout' ORDER BY d.seq, l.key;

INSERT INTO coupon_redemptions (id, coupon_id, account_id, checkout_id, created_at)
SELECT id, ref, account_id, key, created_at FROM documents WHERE kind = 'redemption' ORDER BY seq;

DELETE FROM documents WHERE kind IN ('checkout', 'coupon', 'redemption');
