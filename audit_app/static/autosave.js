// Saves a draft of an audit section every 30 seconds while it has unsaved changes.
// Progressive enhancement: the form saves fully without JavaScript.
const INTERVAL_MS = 30000

const form = document.querySelector('form[data-autosave-url]')
if (form) {
  const status = form.querySelector('.app-autosave-status')
  const versionInput = form.querySelector('input[name="version"]')
  let lastSaved = new URLSearchParams(new FormData(form)).toString()
  let busy = false

  const say = (message) => { if (status) status.textContent = message }

  const save = async () => {
    const data = new FormData(form)
    const snapshot = new URLSearchParams(data).toString()
    if (busy || snapshot === lastSaved) return
    busy = true
    try {
      const response = await fetch(form.dataset.autosaveUrl, {
        method: 'POST',
        body: data,
        headers: { 'X-Autosave': '1', Accept: 'application/json' },
        credentials: 'same-origin'
      })
      const body = await response.json().catch(() => ({ message: 'Not saved: try Save as draft.' }))
      if (response.ok && body.saved) {
        versionInput.value = body.version
        lastSaved = new URLSearchParams(new FormData(form)).toString()
        const time = new Date().toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })
        say(`Draft saved at ${time}`)
      } else {
        say(body.message || 'Not saved: try Save as draft.')
      }
    } catch (error) {
      say('Not saved: the connection failed. Your answers are still on this page.')
    } finally {
      busy = false
    }
  }

  window.setInterval(save, INTERVAL_MS)
  form.addEventListener('submit', () => { busy = true })
}
