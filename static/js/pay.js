/* Card payment (checkout/pay.html): Stripe's card element and SetupIntent, then our server
   authorises one PaymentIntent per seller order; 3-D Secure when the card asks for it.
   Works with real Stripe.js and with localstripe's fake one. No framework. */
(function () {
  'use strict';
  var form = document.getElementById('card-form');
  var message = document.getElementById('card-message');
  if (!form) return;
  var d = form.dataset;
  var button = document.getElementById('pay-button');
  if (typeof Stripe === 'undefined') {
    message.textContent = d.msgUnavailable;
    button.disabled = true;
    return;
  }
  var stripe = Stripe(d.key, {locale: d.locale});
  var card = stripe.elements({locale: d.locale}).create('card', {hidePostalCode: true});
  card.mount('#card-element');
  labelFakeInputs();

  var secret = d.secret;
  var freshSetupNeeded = false;  // Stripe confirms a SetupIntent once; another card needs a new one
  var busy = false;
  var done = false;
  var expired = false;

  function say(text, isError) {
    message.textContent = text || '';
    message.classList.toggle('error', !!isError);
  }

  function post(url, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRFToken': d.csrf},
      body: body ? JSON.stringify(body) : ''
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return {status: response.status, data: data || {}};
      });
    });
  }

  function failure(result) {
    if (result.status === 402) return d.msgDeclined;
    if (result.status === 503) return d.msgUnavailable;
    if (result.status === 429) return d.msgBusy;
    if (result.data.error && result.data.error.message) return result.data.error.message;
    return d.msgFailed;
  }

  function setupFailure(error) {
    if (error && (error.type === 'card_error' || error.code === 'card_declined')) return d.msgDeclined;
    if (error && error.type === 'validation_error' && error.message) return error.message;
    if (error && /authenticat/i.test(error.message || '')) return d.msgAuth;
    return d.msgFailed;
  }

  function authenticate(clientSecret) {
    if (typeof stripe.handleNextAction === 'function') return stripe.handleNextAction({clientSecret: clientSecret});
    return stripe.confirmCardPayment(clientSecret);
  }

  async function settle(result) {
    for (;;) {
      if (result.status === 200 && result.data.status === 'paid') {
        done = true;
        window.location.assign(result.data.next);
        return;
      }
      if (result.status === 200 && result.data.status === 'requires_action') {
        var outcome = await authenticate(result.data.client_secret);
        if (outcome.error) throw d.msgAuth;
        result = await post(d.payUrl, null);
        continue;
      }
      throw failure(result);
    }
  }

  async function pay() {
    if (freshSetupNeeded) {
      var fresh = await post(d.cardUrl, null);
      if (fresh.status !== 200) throw failure(fresh);
      secret = fresh.data.setup_intent_client_secret;
      freshSetupNeeded = false;
    }
    var setup = await stripe.confirmCardSetup(secret, {payment_method: {card: card}});
    if (setup.error) throw setupFailure(setup.error);
    freshSetupNeeded = true;
    var method = setup.setupIntent.payment_method;
    await settle(await post(d.payUrl, {payment_method: typeof method === 'string' ? method : method.id}));
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (busy || done) return;
    busy = true;
    button.disabled = true;
    say(d.msgWorking, false);
    pay().catch(function (problem) {
      say(typeof problem === 'string' ? problem : d.msgFailed, true);
    }).finally(function () {
      busy = false;
      if (!done && !expired) button.disabled = false;
    });
  });

  /* localstripe's fake element is plain inputs with placeholders only: name them. */
  function labelFakeInputs() {
    var inputs = document.querySelectorAll('#card-element input');
    for (var i = 0; i < inputs.length; i++) {
      if (!inputs[i].hasAttribute('aria-label')) inputs[i].setAttribute('aria-label', inputs[i].placeholder);
      inputs[i].setAttribute('inputmode', 'numeric');
      inputs[i].setAttribute('autocomplete', 'off');
    }
  }

  /* The time the reservation has left. */
  var clock = document.getElementById('time-left');
  function tick() {
    var left = Date.parse(clock.dataset.expires) - Date.now();
    if (left <= 0) {
      expired = true;
      clock.textContent = '';
      say(clock.dataset.msgExpired, true);
      button.disabled = true;
      return;
    }
    clock.textContent = clock.dataset.template.replace('#', String(Math.ceil(left / 60000)));
    window.setTimeout(tick, 15000);
  }
  if (clock) tick();
})();
