// A tiny app that stays inside the IWA policy: module script from the bundle, no sinks fed strings.
const status = document.getElementById("status");
status.textContent = `Running in an isolated context: ${self.crossOriginIsolated}`;
