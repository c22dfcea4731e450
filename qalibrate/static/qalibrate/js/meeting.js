// The meeting screen: [ and ] step to the previous and next contact (by the key's place too,
// so a Swedish å or a Russian х works), never while the facilitator types; printing opens
// what is folded away.
(function () {
  "use strict";
  const KEYS = { "[": "prev", "]": "next", BracketLeft: "prev", BracketRight: "next" };

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    const rel = KEYS[event.key] || KEYS[event.code];
    const link = rel && document.querySelector('.meeting-pager a[rel="' + rel + '"]');
    if (!link) return;
    event.preventDefault();
    link.click();
  });

  const print = document.querySelector("[data-print]");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.undisputed").forEach(function (d) { d.open = true; });
  });
})();
