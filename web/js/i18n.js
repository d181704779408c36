// i18n.js: the console in Vietnamese or English. The language is the one
// the customer chose (kept in localStorage), else the browser's: Vietnamese
// for "vi…", English otherwise. The English text is the key: dom.js passes
// every text child and label attribute through tr(), so a view writes its
// words once, in English; words built from values use t() with {names}.
// What the API says (error messages, names) is never translated.

const KEY = 'tally.lang';
export const LANGUAGES = [['vi', 'Tiếng Việt'], ['en', 'English']];

export function lang() {
  const chosen = localStorage.getItem(KEY);
  if (chosen === 'vi' || chosen === 'en') return chosen;
  return (navigator.language || '').toLowerCase().startsWith('vi') ? 'vi' : 'en';
}

export function setLang(value) {
  localStorage.setItem(KEY, value);
}

// The locale for Intl: Vietnamese "1.947.000 ₫" and "6 thg 12, 2026";
// English keeps the console's "₫1,947,000" and "6 Dec 2026".
export function locale() {
  return lang() === 'vi' ? 'vi-VN' : 'en-GB';
}

const VI = {
  // the shell
  'Skip to content': 'Chuyển đến nội dung',
  Resources: 'Tài nguyên',
  Invoices: 'Hóa đơn',
  'Wallets & spending': 'Ví & chi tiêu',
  Payments: 'Thanh toán',
  'Sign out': 'Đăng xuất',
  Language: 'Ngôn ngữ',
  'Loading…': 'Đang tải…',
  'Page not found': 'Không tìm thấy trang',
  'Try again': 'Thử lại',
  'This page could not be loaded': 'Không tải được trang này',
  'Something went wrong': 'Đã có lỗi',
  'Code: ': 'Mã: ',
  Dismiss: 'Đóng',
  'You are signed out.': 'Bạn đã đăng xuất.',
  // sign-in
  'Sign in to the tally console': 'Đăng nhập bảng điều khiển tally',
  'Account token': 'Token tài khoản',
  'Sign in': 'Đăng nhập',
  'Signing in…': 'Đang đăng nhập…',
  'Cannot sign in': 'Không đăng nhập được',
  'The token your cloud provider issued for your account; it starts with ': 'Token mà nhà cung cấp cloud cấp cho tài khoản của bạn; bắt đầu bằng ',
  // resource list
  'Search by name or id': 'Tìm theo tên hoặc id',
  'name or res_…': 'tên hoặc res_…',
  Type: 'Loại',
  'All types': 'Mọi loại',
  Clusters: 'Cụm',
  Servers: 'Máy chủ',
  Volumes: 'Ổ đĩa',
  'Load balancers': 'Bộ cân bằng tải',
  Snapshots: 'Bản chụp',
  Billing: 'Thanh toán theo',
  'Any billing': 'Mọi hình thức',
  Prepaid: 'Trả trước',
  Postpaid: 'Trả sau',
  Cluster: 'Cụm',
  'Any cluster': 'Mọi cụm',
  Search: 'Tìm',
  Name: 'Tên',
  ID: 'ID',
  Service: 'Dịch vụ',
  Status: 'Trạng thái',
  Created: 'Tạo lúc',
  'Load more': 'Tải thêm',
  'No resources match.': 'Không có tài nguyên phù hợp.',
  'POC wallet': 'Ví POC',
  // kinds of things
  Server: 'Máy chủ',
  Volume: 'Ổ đĩa',
  'Load balancer': 'Bộ cân bằng tải',
  Snapshot: 'Bản chụp',
  Node: 'Node',
  'Boot volume': 'Ổ khởi động',
  PVC: 'PVC',
  active: 'đang chạy',
  suspended: 'tạm ngưng',
  deleted: 'đã xóa',
  'Prepaid · per member': 'Trả trước · theo từng thành viên',
  'Auto-renew': 'Tự gia hạn',
  // one resource
  Members: 'Thành viên',
  Nodes: 'Node',
  'Boot volumes': 'Ổ khởi động',
  PVCs: 'PVC',
  'Other members': 'Thành viên khác',
  Term: 'Kỳ hạn',
  'Each member has its own term (see Members)': 'Mỗi thành viên có kỳ hạn riêng (xem Thành viên)',
  On: 'Bật',
  Off: 'Tắt',
  Currency: 'Tiền tệ',
  Delete: 'Xóa',
  'Keep it': 'Giữ lại',
  'Deleting…': 'Đang xóa…',
  'Stop POC': 'Dừng POC',
  'Checking…': 'Đang kiểm tra…',
  'Continue to the checkout': 'Tiếp tục thanh toán',
  'Invoices of this resource': 'Hóa đơn của tài nguyên này',
  'Invoices of this cluster and its members': 'Hóa đơn của cụm và các thành viên',
  'Deleting cannot be undone; the data is gone.': 'Không thể hoàn tác việc xóa; dữ liệu sẽ mất.',
  // Stop POC and checkout
  Cancel: 'Hủy',
  Stop: 'Dừng',
  Role: 'Vai trò',
  'Monthly price': 'Giá tháng',
  'Opening checkout…': 'Đang mở thanh toán…',
  'Stopping…': 'Đang dừng…',
  'Checkout': 'Thanh toán',
  'Checkout: Stop POC': 'Thanh toán: Dừng POC',
  Resource: 'Tài nguyên',
  Item: 'Hạng mục',
  Qty: 'SL',
  'Unit price / month': 'Đơn giá / tháng',
  Price: 'Giá',
  Discounts: 'Giảm giá',
  Tax: 'Thuế',
  Total: 'Tổng cộng',
  'Price lines': 'Chi tiết giá',
  'Term discount': 'Giảm giá theo kỳ hạn',
  Subtotal: 'Tạm tính',
  'Coupon discount': 'Giảm giá mã khuyến mãi',
  Coupon: 'Mã khuyến mãi',
  Apply: 'Áp dụng',
  Continue: 'Tiếp tục',
  'Cancel checkout': 'Hủy thanh toán',
  'Auto-renew: charge the next term from credit 7 days before this one ends': 'Tự gia hạn: trừ kỳ tiếp theo vào số dư 7 ngày trước khi kỳ này kết thúc',
  'The checkout was not changed': 'Thanh toán không thay đổi',
  'Estimated cost of a month of use, with tax': 'Chi phí ước tính cho một tháng sử dụng, gồm thuế',
  // invoices
  Number: 'Số',
  Issued: 'Ngày lập',
  Kind: 'Loại',
  Period: 'Kỳ',
  'Invoice history': 'Lịch sử hóa đơn',
  'No invoices yet.': 'Chưa có hóa đơn.',
  'all invoices': 'mọi hóa đơn',
  'All invoices': 'Mọi hóa đơn',
  Print: 'In',
  'Download JSON': 'Tải JSON',
  'Download PDF': 'Tải PDF',
  'Preparing the PDF…': 'Đang tạo PDF…',
  'Download CSV': 'Tải CSV',
  Invoice: 'Hóa đơn',
  'Billed to': 'Khách hàng',
  Payment: 'Thanh toán',
  'Refund of': 'Hoàn tiền cho',
  Description: 'Mô tả',
  'Unit price': 'Đơn giá',
  Lines: 'Chi tiết',
  Totals: 'Tổng',
  Paid: 'Đã trả',
  'Refunded to your credit': 'Đã hoàn vào số dư',
  paid: 'đã thanh toán',
  purchase: 'mua',
  renewal: 'gia hạn',
  conversion: 'chuyển đổi',
  'credit note': 'giấy báo có',
  usage: 'sử dụng',
  // wallets and spending
  Credit: 'Số dư',
  Balance: 'Số dư',
  Held: 'Đang giữ',
  Available: 'Khả dụng',
  'Held credit is reserved for services settled by hold (such as vContainer) until their monthly invoice.': 'Số dư đang giữ được dành cho các dịch vụ thanh toán bằng khoản giữ (như vContainer) đến hóa đơn tháng.',
  'Invoiced, last 12 months': 'Đã lập hóa đơn, 12 tháng qua',
  'The figures': 'Số liệu',
  Month: 'Tháng',
  'Invoiced (net)': 'Đã lập hóa đơn (ròng)',
  'POC wallets': 'Ví POC',
  'No POC wallet is active.': 'Không có ví POC nào đang hoạt động.',
  Wallet: 'Ví',
  Granted: 'Được cấp',
  Left: 'Còn lại',
  Expires: 'Hết hạn',
  'Spending by service and by resource, last 12 months': 'Chi tiêu theo dịch vụ và theo tài nguyên, 12 tháng qua',
  'By service': 'Theo dịch vụ',
  'By resource': 'Theo tài nguyên',
  'Nothing invoiced yet.': 'Chưa có hóa đơn nào.',
  // payments and holds
  'Holds on your credit': 'Các khoản giữ trên số dư',
  'Payment history': 'Lịch sử thanh toán',
  'No payments yet.': 'Chưa có thanh toán.',
  'No credit is held now.': 'Hiện không có số dư nào bị giữ.',
  Date: 'Ngày',
  Amount: 'Số tiền',
  Method: 'Phương thức',
  For: 'Cho',
  Hold: 'Khoản giữ',
  Holds: 'Các khoản giữ',
  Until: 'Đến',
  Settled: 'Đã quyết toán',
  Placed: 'Đặt lúc',
  'Payment gateway': 'Cổng thanh toán',
  'Hold on credit': 'Giữ trên số dư',
  'at the monthly invoice': 'trong hóa đơn tháng',
  held: 'đang giữ',
  settled: 'đã quyết toán',
  released: 'đã giải phóng',
  expired: 'hết hạn',
  '1 invoice': '1 hóa đơn',
  // sentences
  'A checkout is open for this resource: continue with it, or cancel it there.': 'Tài nguyên này đang có một thanh toán mở: hãy tiếp tục, hoặc hủy nó tại đó.',
  'After this payment: ': 'Sau thanh toán này: ',
  'Available credit: ': 'Số dư khả dụng: ',
  'Back to the checkout': 'Quay lại thanh toán',
  'Back to the resource': 'Quay lại tài nguyên',
  'Choose a payment method again': 'Chọn lại phương thức thanh toán',
  'Every server and volume of this cluster is already paid. Stop turns off the POC option of the cluster itself; there is nothing to pay.':
    'Mọi máy chủ và ổ đĩa của cụm này đã được thanh toán. Dừng sẽ tắt chế độ POC của chính cụm; không có gì phải trả.',
  'Kubernetes (vContainer) services are invoiced monthly on actual usage. ': 'Dịch vụ Kubernetes (vContainer) được lập hóa đơn hằng tháng theo mức sử dụng thực tế. ',
  'The unused part of the paid term is refunded to your credit, with a credit note.': 'Phần chưa dùng của kỳ hạn đã trả được hoàn vào số dư, kèm giấy báo có.',
  'These resources keep running with the same data and become paid. On the next page you choose the term, auto-renewal and a coupon, then pay.':
    'Các tài nguyên này tiếp tục chạy với dữ liệu như cũ và chuyển sang trả phí. Ở trang tiếp theo bạn chọn kỳ hạn, tự gia hạn và mã khuyến mãi, rồi thanh toán.',
  'These resources keep running with the same data. They are invoiced monthly on their actual use; ':
    'Các tài nguyên này tiếp tục chạy với dữ liệu như cũ. Chúng được lập hóa đơn hằng tháng theo mức sử dụng thực tế; ',
  'on the next page you place a hold of a few days of estimated use on your credit. There is no term, auto-renewal or coupon to choose.':
    'ở trang tiếp theo bạn đặt một khoản giữ trên số dư bằng vài ngày sử dụng ước tính. Không có kỳ hạn, tự gia hạn hay mã khuyến mãi để chọn.',
  'Before it expires, Stop POC on the resources you keep (they become paid, same data) or delete them. ':
    'Trước khi ví hết hạn, hãy Dừng POC các tài nguyên bạn giữ lại (chuyển sang trả phí, dữ liệu như cũ) hoặc xóa chúng. ',
  'At expiry POC resources are suspended, and deleted after the retention period.':
    'Khi hết hạn, tài nguyên POC bị tạm ngưng và bị xóa sau thời gian lưu giữ.',
  'less than an hour left': 'còn chưa đến một giờ',
  ' stays a POC, with its other members, until you Stop POC on the cluster itself.': ' vẫn là POC, cùng các thành viên khác, cho đến khi bạn Dừng POC trên chính cụm đó.',
  POC: 'POC',
  'The checkout was cancelled; the resources stay as they were.': 'Thanh toán đã bị hủy; các tài nguyên giữ nguyên như cũ.',
  'Payment method': 'Phương thức thanh toán',
  'Account credit': 'Số dư tài khoản',
  'Hold on account credit': 'Giữ trên số dư tài khoản',
  'Pay': 'Thanh toán',
  'Confirm hold': 'Xác nhận khoản giữ',
  'Total due: ': 'Phải trả: ',
  'Held now: ': 'Giữ ngay: ',
  'Cannot pay': 'Không thanh toán được',
  'The payment did not go through': 'Thanh toán không thành công',
  "You are sent to the payment gateway's page to pay, and come back here.": 'Bạn được chuyển đến trang cổng thanh toán để trả tiền, rồi quay lại đây.',
  'Top up your credit, or pay through the payment gateway.': 'Hãy nạp thêm số dư, hoặc thanh toán qua cổng thanh toán.',
  'Waiting for the gateway': 'Đang chờ cổng thanh toán',
  'Payment not completed': 'Thanh toán chưa hoàn tất',
  'Check again': 'Kiểm tra lại',
};

// Vietnamese has no plural: "{n} {noun}".
const NOUNS = {
  resource: 'tài nguyên', invoice: 'hóa đơn', month: 'tháng', day: 'ngày', hour: 'giờ', member: 'thành viên',
  hold: 'khoản giữ', payment: 'thanh toán',
};

// Sentences with values: English template -> Vietnamese template.
const VI_TEMPLATES = {
  '{count} shown': 'Đang hiện {count}',
  '{count} left': 'còn {count}',
  '{days} d left': 'còn {days} ngày',
  'Prepaid · until {date}': 'Trả trước · đến {date}',
  'Term ends {date}': 'Kỳ hạn kết thúc {date}',
  'Coupon {code} applied: −{amount}': 'Đã áp dụng mã {code}: −{amount}',
  'Coupon {code} does not apply': 'Mã {code} không áp dụng được',
  'Remove {code}': 'Bỏ {code}',
  'Coupon discount ({code})': 'Giảm giá mã khuyến mãi ({code})',
  'Tax ({rate})': 'Thuế ({rate})',
  'Hold now ({days})': 'Giữ ngay ({days})',
  '{count} will be converted': '{count} sẽ được chuyển đổi',
  'Invoice {number}': 'Hóa đơn {number}',
  'Prices are held until {time}.': 'Giá được giữ đến {time}.',
  '{title} ({count})': '{title} ({count})',
  ' · expires {time}': ' · hết hạn {time}',
  'By resource (the {top} largest of {all})': 'Theo tài nguyên ({top} lớn nhất trong {all})',
  '{holds} of {amount} in all: credit reserved for services invoiced monthly on their use (such as vContainer). A hold is settled by the monthly invoice, or released.':
    '{holds}, tổng {amount}: số dư dành cho các dịch vụ lập hóa đơn hằng tháng theo mức sử dụng (như vContainer). Khoản giữ được quyết toán bằng hóa đơn tháng, hoặc được giải phóng.',
  ' and {more} more': ' và {more} mục khác',
  'POC wallet for cluster {cluster}': 'Ví POC cho cụm {cluster}',
  'Only this {kind} becomes paid. Its cluster ': 'Chỉ {kind} này chuyển sang trả phí. Cụm ',
};

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name]));
}

// A fixed text in the current language (unknown text stays as it is).
export function tr(text) {
  if (lang() !== 'vi' || typeof text !== 'string') return text;
  return Object.prototype.hasOwnProperty.call(VI, text) ? VI[text] : text;
}

// A text with values: t('{count} shown', {count: '3 invoices'}).
export function t(template, values = {}) {
  const vi = lang() === 'vi' && Object.prototype.hasOwnProperty.call(VI_TEMPLATES, template);
  return fill(vi ? VI_TEMPLATES[template] : template, values);
}

// "3 invoices" / "3 hóa đơn".
export function plural(n, word) {
  if (lang() === 'vi' && NOUNS[word]) return `${n} ${NOUNS[word]}`;
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
