# tally-completion.bash: bash completion for tally, the command-line client
# of tallyd: global options, nouns, verbs, each command's options, and
# values where they are known (--output, --profile, --file, --currency,
# --type, --billing, --role, --pay, --method, --auto-renew of checkouts change).
#
# Use: source scripts/tally-completion.bash (in ~/.bashrc), or copy it to
# /usr/share/bash-completion/completions/tally. Keep the tables below in
# step with the command table in src/cli/main_dispatch.c.

_tally_globals="--endpoint --token --profile --output --idempotency-key --url --json --help --version"
# Global options that take a value.
_tally_valued="--endpoint|--url|--token|--profile|--output|-o|--idempotency-key"

_tally_nouns="health configure accounts tokens wallets holds credit poc-wallets transfers ledger catalog resources stop-poc checkouts invoices payments coupons webhooks events clock jobs admin usage"

# COMPREPLY from compgen, one candidate a line (names may hold blanks).
_tally_reply() {
  mapfile -t COMPREPLY < <(compgen "$@")
}

# The verbs of a noun; empty for a noun that is a command by itself.
_tally_verbs() {
  case $1 in
    accounts) echo "create list show change" ;;
    tokens) echo "create" ;;
    credit) echo "top-up" ;;
    poc-wallets) echo "grant change" ;;
    transfers) echo "list create" ;;
    ledger) echo "check accounts" ;;
    resources) echo "list show create delete renew" ;;
    checkouts) echo "show create change pay cancel" ;;
    invoices) echo "list show" ;;
    payments) echo "list show" ;;
    coupons) echo "create list disable" ;;
    webhooks) echo "create list show update delete deliveries redeliver events" ;;
    events) echo "list" ;;
    clock) echo "show set advance" ;;
    jobs) echo "run failures" ;;
    admin) echo "backup" ;;
    usage) echo "import" ;;
  esac
}

# The options of one command ("noun verb", or the noun alone).
_tally_options() {
  case $1 in
    configure) echo "--profile --endpoint --token" ;;
    "accounts create") echo "--name --currency" ;;
    "accounts list") echo "--limit --after" ;;
    "accounts change") echo "--type" ;;
    wallets) echo "--account" ;;
    holds) echo "--account --limit --after" ;;
    "credit top-up") echo "--amount --minor --reference" ;;
    "poc-wallets grant") echo "--amount --minor --expires-at --cluster" ;;
    "poc-wallets change") echo "--expires-at --add --minor" ;;
    "usage import") echo "--format --batch" ;;
    "jobs failures") echo "--job --limit --after" ;;
    "transfers list") echo "--account --limit --after --currency" ;;
    "transfers create") echo "--file --linked" ;;
    "ledger accounts") echo "--account" ;;
    "resources list") echo "--search --type --billing --cluster --account --limit --after" ;;
    "resources create") echo "--type --name --poc --spec --cluster --role --account" ;;
    "resources delete") echo "--yes" ;;
    "resources renew") echo "--cycle" ;;
    stop-poc) echo "--preview --cycle --auto-renew --coupon --pay --wait --yes" ;;
    "checkouts create") echo "--file --cycle --auto-renew --coupon --account" ;;
    "checkouts change") echo "--cycle --auto-renew --coupon --no-coupon" ;;
    "checkouts pay") echo "--method --wait" ;;
    "invoices list") echo "--resource --account --limit --after" ;;
    "payments list") echo "--account --limit --after" ;;
    "coupons create")
      echo "--code --percent-off --amount-off --minor --starts-at --expires-at --max-redemptions"
      echo "--max-per-account --services --min-cycle --first-purchase-only" ;;
    "coupons list") echo "--limit --after" ;;
    "events list") echo "--account --limit --after" ;;
    "webhooks create") echo "--url --events --description --disable" ;;
    "webhooks update") echo "--url --events --description --enable --disable" ;;
    "webhooks list"|"webhooks deliveries"|"webhooks events") echo "--limit --after" ;;
  esac
  echo "--help"
}

# The profiles in the config file, as tally reads it.
_tally_profiles() {
  local file
  if [[ $XDG_CONFIG_HOME == /* ]]; then
    file=$XDG_CONFIG_HOME/tally/config
  else
    file=$HOME/.config/tally/config
  fi
  [[ -r $file ]] || return 0
  sed -n -e 's/^[[:space:]]*\[profile[[:space:]]\{1,\}\([A-Za-z0-9_.-]\{1,\}\)[[:space:]]*\].*/\1/p' \
         -e 's/^[[:space:]]*\[\(default\)\].*/\1/p' "$file"
}

# Values of the option just typed (command: "noun verb" or the noun);
# returns 1 when prev takes no value.
_tally_value() {
  local prev=$1 cur=$2 command=$3
  case $prev in
    --output|-o) _tally_reply -W "table json" -- "$cur" ;;
    --profile) _tally_reply -W "$(_tally_profiles)" -- "$cur" ;;
    --currency) _tally_reply -W "VND USD EUR JPY SGD" -- "$cur" ;;
    --file) _tally_reply -f -- "$cur" ;;
    --type) _tally_reply -W "server volume cluster load_balancer snapshot" -- "$cur" ;;
    --billing) _tally_reply -W "poc prepaid postpaid" -- "$cur" ;;
    --role) _tally_reply -W "node boot_volume pvc load_balancer snapshot" -- "$cur" ;;
    --pay|--method) _tally_reply -W "credit gateway hold" -- "$cur" ;;
    --auto-renew)
      # a value only for `checkouts change`; elsewhere it is a flag
      [[ $command == "checkouts change" ]] || return 1
      _tally_reply -W "on off" -- "$cur" ;;
    --endpoint|--url|--token|--idempotency-key|--name|--limit|--after|--account|--amount|--reference|\
    --expires-at|--starts-at|--cluster|--search|--spec|--cycle|--coupon|--wait|--code|\
    --percent-off|--amount-off|--max-redemptions|--max-per-account|--services|--min-cycle|\
    --resource) COMPREPLY=() ;;
    *) return 1 ;;
  esac
  return 0
}

_tally() {
  # Split the line ourselves: bash splits COMP_WORDS at ":" and "=" too,
  # which would cut "--endpoint http://host:8080" into several words.
  local line=${COMP_LINE:0:COMP_POINT} cur="" prev=""
  local -a words
  read -ra words <<<"$line"
  [[ $line == *[[:space:]] ]] && words+=("")
  local n=${#words[@]}
  cur=${words[n-1]}
  ((n > 1)) && prev=${words[n-2]}
  local i=1 noun="" verb="" word
  # Past the global options (and their values) to the noun and the verb.
  while ((i < n - 1)); do
    word=${words[i]}
    if [[ -z $noun ]]; then
      if [[ $word == -* ]]; then
        [[ $word =~ ^($_tally_valued)$ ]] && ((i++))
      else
        noun=$word
      fi
    elif [[ -z $verb && -n $(_tally_verbs "$noun") && $word != -* ]]; then
      verb=$word
    fi
    ((i++))
  done
  local command=$noun
  [[ -n $verb ]] && command="$noun $verb"
  _tally_value "$prev" "$cur" "$command" && return 0
  if [[ -z $noun ]]; then
    if [[ $cur == -* ]]; then
      _tally_reply -W "$_tally_globals" -- "$cur"
    else
      _tally_reply -W "$_tally_nouns" -- "$cur"
    fi
    return 0
  fi
  local verbs
  verbs=$(_tally_verbs "$noun")
  if [[ -n $verbs && -z $verb ]]; then
    _tally_reply -W "$verbs --help" -- "$cur"
    return 0
  fi
  if [[ $cur == -* ]]; then
    _tally_reply -W "$(_tally_options "$command")" -- "$cur"
  fi
  return 0
}

complete -F _tally tally
