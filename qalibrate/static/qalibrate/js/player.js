// The recording beside its transcript: playback speed, and click a turn's time to hear it.
(function () {
  var player = document.getElementById("player");
  if (!player) return;
  var speed = document.querySelector("[data-speed]");
  if (speed) {
    speed.addEventListener("change", function () {
      player.playbackRate = parseFloat(speed.value);
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-seek]");
    if (!button) return;
    player.currentTime = parseFloat(button.dataset.seek);
    player.play().catch(function () {});
  });
  // Highlight the turn being spoken.
  var turns = Array.prototype.slice.call(document.querySelectorAll(".transcript [data-seek]"));
  player.addEventListener("timeupdate", function () {
    var current = null;
    turns.forEach(function (button) {
      if (parseFloat(button.dataset.seek) <= player.currentTime) current = button;
    });
    turns.forEach(function (button) {
      button.closest(".turn").classList.toggle("speaking", button === current);
    });
  });
})();
