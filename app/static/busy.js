// Forms with data-busy show a spinner and their message while the server works.
document.querySelectorAll("form[data-busy]").forEach(function (form) {
  form.addEventListener("submit", function () {
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
      button.insertAdjacentHTML("afterbegin",
        '<span class="spinner-border spinner-border-sm me-2" aria-hidden="true"></span>');
    }
    var note = document.createElement("div");
    note.className = "small text-muted mt-2";
    note.setAttribute("role", "status");
    note.textContent = form.dataset.busy;
    form.appendChild(note);
  });
});
