# Checks that a virtual environment has this package installed as it should
# be; sourced by scripts/setup.sh, scripts/check-install-routes.sh and
# scripts/test-jupyterlab-versions.sh. Each function prints the listing and
# a message naming `$2` (what is checked) and returns 1 on failure.

# `jupyter labextension list` in venv $1 shows the extension enabled and OK,
# and JupyterLab's kernel, kernelspec and session plugins it replaces
# disabled.
check_labextension() {
  local venv="$1" what="$2" out plugin
  out="$("$venv/bin/jupyter" labextension list 2>&1)"
  if ! grep -Eq "jupyterlab-kernel-gateway v[0-9.]+ .*enabled.*OK" <<<"$out"; then
    echo "$out"
    echo "$what: the extension is not enabled and OK." >&2
    return 1
  fi
  for plugin in kernel-manager kernel-spec-manager session-manager; do
    if ! grep -q "@jupyterlab/services-extension:$plugin" <<<"$out"; then
      echo "$out"
      echo "$what: @jupyterlab/services-extension:$plugin is not disabled." >&2
      return 1
    fi
  done
}

# `jupyter server extension list` in venv $1 shows the package's server
# extension enabled and validated (it is imported).
check_server_extension() {
  local venv="$1" what="$2" out
  out="$("$venv/bin/jupyter" server extension list 2>&1)"
  if ! grep -Eq "jupyterlab_kernel_gateway .*enabled" <<<"$out" ||
    ! grep -Eq "jupyterlab_kernel_gateway [0-9.]+ .*OK" <<<"$out"; then
    echo "$out"
    echo "$what: the server extension is not enabled and OK." >&2
    return 1
  fi
}
