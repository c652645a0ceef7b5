// Fills a municipality field's suggestions as the person types. The field works without this
// script: the server matches what was typed (rgpd_app/organisations/picking.py).
"use strict";
document.querySelectorAll("input[data-suggest]").forEach(function (input) {
  var list = document.getElementById(input.getAttribute("list"));
  var timer = null;
  var asked = "";
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var q = input.value.trim();
      if (q.length < 2 || q === asked) {
        return;
      }
      asked = q;
      fetch(input.dataset.suggest + "?q=" + encodeURIComponent(q), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (items) {
          if (q !== asked) {
            return;  // an older answer arriving after a newer question
          }
          list.replaceChildren.apply(list, items.map(function (item) {
            var option = document.createElement("option");
            option.value = item.label;
            return option;
          }));
        })
        .catch(function () {});
    }, 200);
  });
});
