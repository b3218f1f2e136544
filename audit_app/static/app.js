// Loaded as <script type="module" src="/static/app.js"> (CSP: script-src 'self').
//
// Module scripts are deferred, so <body> exists by the time this runs. Only
// browsers with ES module support run it, which is the same test GOV.UK
// Frontend's inline snippet makes ('noModule' in HTMLScriptElement.prototype),
// so the classes can be set here instead of in an inline script.
import { initAll } from './govuk/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')

initAll()
