/* Checkout address (checkout/details.html): a 7-digit postal code fills in the prefecture and
   city from GET /postal/<code>. Without JavaScript the buyer simply fills them in. */
(function () {
  'use strict';
  var input = document.querySelector('[data-postal-url]');
  if (!input) return;
  var form = input.form;
  var prefecture = form.elements.prefecture;
  var city = form.elements.city;
  var status = document.getElementById('postal-status');
  var filledCity = null;
  var last = null;

  function digits(value) {
    return value.replace(/[\uFF10-\uFF19]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
    }).replace(/[^0-9]/g, '');
  }

  function lookup() {
    var code = digits(input.value);
    if (code.length !== 7 || code === last) return;
    last = code;
    fetch(input.dataset.postalUrl.replace('0000000', code), {headers: {'Accept': 'application/json'}})
      .then(function (response) {
        if (!response.ok) {
          status.textContent = input.dataset.msgUnknown;
          return;
        }
        return response.json().then(function (found) {
          prefecture.value = found.prefecture;
          if (!city.value || city.value === filledCity) {
            city.value = filledCity = found.city + found.town;
          }
          status.textContent = input.dataset.msgFilled.replace('#', found.prefecture + found.city + found.town);
        });
      })
      .catch(function () { last = null; });
  }

  input.addEventListener('input', lookup);
  input.addEventListener('change', lookup);
})();
