// Show only the fields that the chosen kind of criterion uses. Without JavaScript all stay visible.
(function () {
  var form = document.querySelector("[data-criterion-form]");
  if (!form) return;
  var kind = form.querySelector("#id_kind");
  var usedBy = {
    points: ["yes_no", "scale"],
    scale_min: ["scale"],
    scale_max: ["scale"],
    options_text: ["options"],
    na_allowed: ["yes_no", "scale", "options"],
    critical: ["yes_no", "scale", "options"],
  };
  function update() {
    Object.keys(usedBy).forEach(function (name) {
      var input = form.querySelector("#id_" + name);
      if (input) input.closest(".field").hidden = usedBy[name].indexOf(kind.value) === -1;
    });
  }
  kind.addEventListener("change", update);
  update();
})();
