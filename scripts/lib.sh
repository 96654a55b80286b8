# Helpers sourced by .ci/run and the scripts in this folder (not run on its own).

# Run as root: directly when already root, else through sudo.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# apt_install PACKAGE…: install Debian packages quietly.
apt_install() {
  echo "== installing $*"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# start_xvfb WIDTHxHEIGHT: a virtual display on a free number. Exports DISPLAY and sets
# XVFB_PID; Xvfb reports the number once it accepts clients, so no guess and no fixed sleep.
start_xvfb() {
  local out
  out=$(mktemp)
  Xvfb -displayfd 1 -screen 0 "${1}x24" -nolisten tcp >"$out" 2>/dev/null &
  XVFB_PID=$!
  for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.1; done
  if [ ! -s "$out" ]; then
    rm -f "$out"
    echo "Xvfb did not start" >&2
    return 1
  fi
  DISPLAY=":$(head -n 1 "$out")"
  export DISPLAY
  rm -f "$out"
}
