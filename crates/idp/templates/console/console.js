// Copy buttons: <button data-copy="element-id">. Without JavaScript the value is still
// shown, selectable, in its read-only field.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-copy]");
  if (!button) return;
  var field = document.getElementById(button.getAttribute("data-copy"));
  if (!field) return;
  event.preventDefault();
  var done = function () {
    button.setAttribute("data-copied", "true");
    button.textContent = "✓";
  };
  var select = function () {
    field.focus();
    field.select();
    if (document.execCommand("copy")) done();
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, select);
  } else {
    select();
  }
});
