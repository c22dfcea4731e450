// The evaluation screen: answers are saved within seconds of every change and when leaving the
// page. Until the server confirms a save, the answers are also kept in this browser, so a closed
// tab, a reload or a dropped connection loses nothing. The script remembers the answers the
// server last confirmed; when the server turns out to have newer ones (another window saved, or
// a save arrived but its response was lost), the fields changed here since that confirmation
// keep their value and every other field takes the server's, and the result is saved again.
(function () {
  var form = document.getElementById("evaluation-form");
  if (!form) return;
  var saveUrl = form.dataset.saveUrl;
  var answersUrl = form.dataset.answersUrl;
  var storageKey = "qalibrate-evaluation-" + form.dataset.evaluation;
  var status = document.getElementById("save-status");
  var scoreBox = document.getElementById("live-score-value");
  var revisionInput = form.querySelector("[name=revision]");
  var secondsInput = form.querySelector("[name=seconds_spent]");
  var messages = JSON.parse(document.getElementById("save-messages").textContent);
  var notAnswers = ["csrfmiddlewaretoken", "revision", "seconds_spent"];
  var confirmed = null; // the answers as the server last confirmed them, by field name
  var notice = null; // what to say along with the next confirmation
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

  // Every answer field by name; a question whose choices are all unticked is "".
  function fieldValues() {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || notAnswers.indexOf(field.name) >= 0) return;
      if (field.type !== "radio") values[field.name] = field.value;
      else if (field.checked) values[field.name] = field.value;
      else if (!(field.name in values)) values[field.name] = "";
    });
    return values;
  }

  function changedNames(values, base) {
    return Object.keys(values).filter(function (name) { return values[name] !== base[name]; });
  }

  function showMoment(id, value) {
    var link = form.querySelector("[data-time-of='" + id + "']");
    if (!link) return;
    var seconds = Math.floor(parseFloat(value) || 0);
    link.dataset.seek = seconds;
    link.textContent = new Date(seconds * 1000).toISOString().substr(seconds >= 3600 ? 11 : 14, seconds >= 3600 ? 8 : 5);
    link.hidden = value === "";
  }

  function setField(name, value) {
    form.querySelectorAll("[name='" + name + "']").forEach(function (field) {
      if (field.type === "radio") field.checked = field.value === value;
      else field.value = value;
    });
    var moment = /^c(\d+)_t$/.exec(name);
    if (moment) showMoment(moment[1], value);
  }

  function keepLocally() {
    try {
      localStorage.setItem(storageKey, JSON.stringify({
        revision: revisionInput.value, values: fieldValues(), confirmed: confirmed, at: Date.now()
      }));
    } catch (error) { /* storage full or off: the server save still runs */ }
  }

  function forgetLocally() {
    try { localStorage.removeItem(storageKey); } catch (error) { /* storage off */ }
  }

  // The server's answers, with the given changes on top: those fields keep the value given here.
  function merge(server, values, changes) {
    Object.keys(server.values).forEach(function (name) {
      setField(name, changes.indexOf(name) >= 0 ? values[name] : server.values[name]);
    });
    confirmed = server.values;
    revisionInput.value = server.revision;
    keepLocally();
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

  function saved(data, sent) {
    revisionInput.value = data.revision;
    confirmed = sent;
    secondsBanked = 0;
    if (visibleSince) visibleSince = Date.now();
    if (scoreBox) scoreBox.textContent = data.score === null ? "—" : data.score.toFixed(1);
    showStatus(notice ? notice + " " + data.message : data.message, "ok");
    notice = null;
    // The kept answers go once the server has confirmed every one of them.
    if (changedNames(fieldValues(), sent).length) keepLocally();
    else forgetLocally();
  }

  // The save was refused as stale: fetch the server's newest answers, keep the fields changed
  // here since the last confirmed save on top of them, and save again.
  function catchUp() {
    dirty = true;
    return fetch(answersUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("answers: " + response.status);
        return response.json();
      })
      .then(function (server) {
        if (submitting) return;
        var values = fieldValues();
        merge(server, values, changedNames(values, confirmed));
        notice = messages.merged;
        clearTimeout(timer);
        timer = setTimeout(save, 0);
      });
  }

  function save() {
    if (submitting) return;
    if (saving) { timer = setTimeout(save, 500); return; }
    saving = true;
    dirty = false;
    showStatus(messages.saving, "busy");
    var sent = fieldValues();
    fetch(saveUrl, { method: "POST", body: payload(), credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      })
      .then(function (result) {
        if (result.data.ok) saved(result.data, sent);
        else if (result.status === 409) return catchUp();
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

  // Answers that never reached the server, or whose save was never confirmed (the tab closed
  // mid-save, the connection dropped): the page shows the server's answers, so the kept changes
  // go on top of them, even when the server has saved a newer revision since.
  confirmed = fieldValues();
  var kept = null;
  try { kept = JSON.parse(localStorage.getItem(storageKey) || "null"); } catch (error) { forgetLocally(); }
  if (kept && kept.values) {
    var sameRevision = kept.revision === revisionInput.value;
    merge({ revision: revisionInput.value, values: confirmed }, kept.values,
      changedNames(kept.values, kept.confirmed || {}));
    showStatus(sameRevision ? messages.restored : messages.restored_merged, "busy");
    save();
  }

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
    setField("c" + id + "_t", String(Math.floor(player.currentTime)));
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
