# What the AWS CLI walkthroughs share; they source it. It checks ENDPOINT,
# sets the CLI's environment (any credentials, us-east-1, no pager, no
# profile or endpoint of the caller's), and defines:
#   aws ARGS…         the AWS CLI against ENDPOINT, text output
#   step TEXT         a heading
#   fail TEXT         stop the walkthrough with a reason
#   advance DURATION  move the emulator's manual clock (POST /_emulator/clock/advance)
#   json_field NAME   a member of the JSON object on stdin

: "${ENDPOINT:?set ENDPOINT to the emulator, e.g. http://127.0.0.1:4566}"
AWS_CLI="${AWS_CLI:-/usr/bin/aws}"
export AWS_ACCESS_KEY_ID=walkthrough AWS_SECRET_ACCESS_KEY=walkthrough AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""
unset AWS_PROFILE AWS_ENDPOINT_URL

aws() { "$AWS_CLI" --endpoint-url "$ENDPOINT" --output text "$@"; }
step() { printf '\n== %s\n' "$*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }
advance() {
  curl -fsS -X POST "$ENDPOINT/_emulator/clock/advance" -H 'Content-Type: application/json' -d "{\"duration\":\"$1\"}" >/dev/null
  echo "(virtual time +$1)"
}
json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
