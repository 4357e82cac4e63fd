#!/usr/bin/env bash
# Generates Mosquitto's password file and ACL file from the site configuration's gateways
# (docs/security.md). One user per gateway, named {enterprise}.{gateway}, allowed to publish only
# {root}/{enterprise}/{gateway}/telemetry and .../status; one service user allowed to read everything.
#
#   gen-mosquitto-auth.sh <out-dir> <site.yaml | folder of site files>...
#
# Writes into <out-dir>:
#   passwd        mosquitto_passwd file (PBKDF2-SHA512 hashes); the embedded broker reads it too
#                 (Monitoring:Security:GatewayPasswordFile)
#   acl           Mosquitto ACL file
#   credentials   user:password in clear, mode 600: hand each gateway its line, give the service its
#                 password (Monitoring__Mqtt__Password), then delete or vault this file
#   mosquitto-auth.conf   the lines to include in mosquitto.conf
# Re-running keeps the passwords of users already in <out-dir>/credentials and adds new gateways.
#
# Environment: MON_TOPIC_ROOT (mon/v1), MON_SERVICE_USER (monitoring-service).
set -euo pipefail

[[ $# -ge 2 ]] || { echo "usage: $0 <out-dir> <site.yaml | folder>..." >&2; exit 2; }
command -v mosquitto_passwd >/dev/null || { echo "mosquitto_passwd not found (apt-get install mosquitto)" >&2; exit 1; }

out=$1; shift
root=${MON_TOPIC_ROOT:-mon/v1}
service_user=${MON_SERVICE_USER:-monitoring-service}
mkdir -p -- "$out"
umask 077

files=()
for arg in "$@"; do
  if [[ -d $arg ]]; then
    while IFS= read -r f; do files+=("$f"); done < <(find "$arg" -maxdepth 1 -type f \( -name '*.yaml' -o -name '*.yml' \) | sort)
  else
    files+=("$arg")
  fi
done
[[ ${#files[@]} -gt 0 ]] || { echo "no site files found" >&2; exit 1; }

# "enterprise gateway" per line. Gateways are the list items at the shallowest indentation under the
# top-level "gateways:" key (rule ids further down are deeper), as in docs/rules.md.
list_gateways() {
  awk '
    function clean(v) { sub(/#.*/, "", v); gsub(/["'\''[:space:]]/, "", v); return v }
    /^enterprise:/ { enterprise = clean(substr($0, index($0, ":") + 1)); next }
    /^[^[:space:]#-]/ { in_gateways = ($0 ~ /^gateways:/); indent = -1; next }
    in_gateways && /^[[:space:]]*-[[:space:]]+id:/ {
      match($0, /^[[:space:]]*/)
      if (indent < 0) indent = RLENGTH
      if (RLENGTH == indent) ids[++n] = clean(substr($0, index($0, ":") + 1))
    }
    END { for (i = 1; i <= n; i++) print enterprise, ids[i] }
  ' "$1"
}

declare -A password=()
if [[ -f $out/credentials ]]; then
  while IFS=: read -r user pass; do [[ -n $user && $user != \#* ]] && password[$user]=$pass; done <"$out/credentials"
fi
new_password() { head -c 24 /dev/urandom | base64 | tr -d '/+=' ; }

id_re='^[A-Za-z0-9_-]{1,64}$'
users=("$service_user")
acl_gateways=""
for f in "${files[@]}"; do
  while read -r enterprise gateway; do
    if [[ ! $enterprise =~ $id_re || ! $gateway =~ $id_re ]]; then
      echo "$f: enterprise '$enterprise' or gateway '$gateway' is not an identifier ([A-Za-z0-9_-]{1,64})" >&2
      exit 1
    fi
    users+=("$enterprise.$gateway")
    acl_gateways+="
user $enterprise.$gateway
topic write $root/$enterprise/$gateway/telemetry
topic write $root/$enterprise/$gateway/status"
  done < <(list_gateways "$f")
done

: >"$out/passwd.new"
: >"$out/credentials.new"
for user in "${users[@]}"; do
  pass=${password[$user]:-$(new_password)}
  printf '%s:%s\n' "$user" "$pass" >>"$out/credentials.new"
  mosquitto_passwd -b "$out/passwd.new" "$user" "$pass"
done
mv -f -- "$out/passwd.new" "$out/passwd"
mv -f -- "$out/credentials.new" "$out/credentials"

cat >"$out/acl" <<ACL
# Written by deploy/local/gen-mosquitto-auth.sh from: ${files[*]}
# The ingestion service reads every gateway's topics and the broker statistics.
user $service_user
topic read $root/#
topic read \$SYS/#
$acl_gateways
ACL

cat >"$out/mosquitto-auth.conf" <<CONF
# Include in mosquitto.conf (after the listener line).
allow_anonymous false
password_file $(realpath -- "$out/passwd")
acl_file $(realpath -- "$out/acl")
CONF
chmod 644 "$out/acl" "$out/mosquitto-auth.conf"
# Mosquitto drops privileges to user "mosquitto" when started as root; it must read the password file.
chmod 640 "$out/passwd"
echo "$(( ${#users[@]} - 1 )) gateways + $service_user -> $out/{passwd,acl,credentials,mosquitto-auth.conf}"
