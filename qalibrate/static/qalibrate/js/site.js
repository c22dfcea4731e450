// Behaviour any page may ask for in its markup, so that no template needs an inline event
// handler (a strict Content-Security-Policy forbids them). Both listen on the document, so
// they also work for content htmx swaps in later.
//   data-confirm="Question?" on a button or link: ask first; Cancel stops the click.
//   data-autosubmit on a form control: submit its form as soon as the value changes.
//   data-reset-on-success on an htmx form: empty it once its request succeeded.
(function () {
  document.addEventListener(
    "click",
    function (event) {
      if (!(event.target instanceof Element)) return;
      var element = event.target.closest("[data-confirm]");
      if (element && !window.confirm(element.dataset.confirm)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true // in the capture phase: before any other listener can act on the click
  );
  document.addEventListener("change", function (event) {
    if (!(event.target instanceof Element)) return;
    var control = event.target.closest("[data-autosubmit]");
    if (control && control.form) control.form.submit();
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-reset-on-success") && event.detail.successful) {
      form.reset();
    }
  });
})();
