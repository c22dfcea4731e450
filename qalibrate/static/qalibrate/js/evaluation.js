// The evaluation screen: answers are saved within seconds of every change and when leaving the
// page. Until the server confirms a save, the answers are also kept in this browser, so a closed
// tab, a reload or a dropped connection loses nothing.
(function () {
  var form = document.getElementById("evaluation-form");
  if (!form) return;
  var saveUrl = form.dataset.saveUrl;
  var storageKey = "qalibrate-evaluation-" + form.dataset.evaluation;
  var status = document.getElementById("save-status");
  var scoreBox = document.getElementById("live-score-value");
  var revisionInput = form.querySelector("[name=revision]");
  var secondsInput = form.querySelector("[name=seconds_spent]");
  var messages = JSON.parse(document.getElementById("save-messages").textContent);
  var dirty = false;
  var saving = false;
  // Once Submit is pressed the submit itself carries every answer: nothing more is sent (a
  // save after it would reach a submitted evaluation and be refused).
  var submitting = false;
  var submitAfterSave = false;
  var timer = null;
  var visibleSince = document.visibilityState === "visible" ? Date.now() : null;
  var secondsBanked = 0;

  function showStatus(text, kind) {
    status.textContent = text;
    status.className = "save-status " + (kind || "");
  }

  function fieldValues() {
    var values = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken") values[name] = value;
    });
    return values;
  }

  function keepLocally() {
    try {
      localStorage.setItem(storageKey, JSON.stringify({
        revision: revisionInput.value, values: fieldValues(), at: Date.now()
      }));
    } catch (error) { /* storage full or off: the server save still runs */ }
  }

  function secondsSpent() {
    var seconds = secondsBanked;
    if (visibleSince) seconds += (Date.now() - visibleSince) / 1000;
    return Math.round(seconds);
  }

  function payload() {
    secondsInput.value = secondsSpent();
    return new FormData(form);
  }

  function saved(data) {
    revisionInput.value = data.revision;
    secondsBanked = 0;
    if (visibleSince) visibleSince = Date.now();
    if (scoreBox) scoreBox.textContent = data.score === null ? "—" : data.score.toFixed(1);
    showStatus(data.message, "ok");
    if (!dirty) localStorage.removeItem(storageKey);
  }

  function save() {
    if (submitting) return;
    if (saving) { timer = setTimeout(save, 500); return; }
    saving = true;
    dirty = false;
    showStatus(messages.saving, "busy");
    fetch(saveUrl, { method: "POST", body: payload(), credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      })
      .then(function (result) {
        if (result.data.ok) saved(result.data);
        else { dirty = true; showStatus(result.data.error, "error"); }
      })
      .catch(function () {
        dirty = true;
        showStatus(messages.offline, "error");
        timer = setTimeout(save, 5000);
      })
      .finally(function () {
        saving = false;
        // A save was on its way when Submit was pressed: submit now, with its new revision.
        if (submitAfterSave) { submitAfterSave = false; form.requestSubmit(); }
      });
  }

  function changed() {
    if (submitting) return;
    dirty = true;
    keepLocally();
    showStatus(messages.unsaved, "busy");
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", changed);

  // Answers that never reached the server (the tab closed mid-save, the connection dropped).
  try {
    var kept = JSON.parse(localStorage.getItem(storageKey) || "null");
    if (kept && kept.revision === revisionInput.value) {
      Object.keys(kept.values).forEach(function (name) {
        var fields = form.querySelectorAll("[name='" + name + "']");
        fields.forEach(function (field) {
          if (field.type === "radio" || field.type === "checkbox") field.checked = field.value === kept.values[name];
          else if (field.type !== "hidden" || name.endsWith("_t")) field.value = kept.values[name];
        });
      });
      showStatus(messages.restored, "busy");
      save();
    } else if (kept) {
      localStorage.removeItem(storageKey);
    }
  } catch (error) { localStorage.removeItem(storageKey); }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") visibleSince = Date.now();
    else if (visibleSince) {
      secondsBanked += (Date.now() - visibleSince) / 1000;
      visibleSince = null;
      if (dirty && !submitting) navigator.sendBeacon(saveUrl, payload());
    }
  });
  window.addEventListener("pagehide", function () {
    if (dirty && !submitting) navigator.sendBeacon(saveUrl, payload());
  });

  // "Comment at the current moment" of the recording: stores the time, shows it, seeks back to it.
  var player = document.getElementById("player");
  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-mark-time]");
    if (!button || !player) return;
    var id = button.dataset.markTime;
    var seconds = Math.floor(player.currentTime);
    form.querySelector("[name='c" + id + "_t']").value = seconds;
    var link = form.querySelector("[data-time-of='" + id + "']");
    link.dataset.seek = seconds;
    link.textContent = new Date(seconds * 1000).toISOString().substr(seconds >= 3600 ? 11 : 14, seconds >= 3600 ? 8 : 5);
    link.hidden = false;
    form.querySelector("[name='c" + id + "_comment']").focus();
    changed();
  });

  form.addEventListener("submit", function (event) {
    if (saving) {
      // Submitting now would carry the revision the running save is about to replace.
      event.preventDefault();
      submitAfterSave = true;
      clearTimeout(timer);
      return;
    }
    submitting = true;
    dirty = false;
    clearTimeout(timer);
    secondsInput.value = secondsSpent();
  });
})();
