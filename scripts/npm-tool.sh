# Sourced: npm_tool DIR PACKAGE@VERSION BIN WHO installs an npm package into
# DIR (under .tools/, ignored by git) unless DIR/node_modules/.bin/BIN is
# already there, and puts that bin directory first on PATH. WHO prefixes the
# messages. Returns non-zero when the registry cannot provide it.
npm_tool() {
  local dir=$1 spec=$2 bin=$3 who=$4
  if [ ! -x "$dir/node_modules/.bin/$bin" ]; then
    echo "$who: installing $spec into .tools/"
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "$spec" >/dev/null \
      || { echo "$who: cannot install $spec from the npm registry" >&2; return 1; }
  fi
  export PATH="$dir/node_modules/.bin:$PATH"
}
