import './styles.css'
import './tasks.css'
import './pages.css'
import './plan.css'

import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'

import { takeKeyFromFragment } from './api-key.js'
import { App } from './components/App.js'

// Before the first render, so the key leaves the address bar (and history) at once.
const fragmentKey = takeKeyFromFragment()

const root = document.getElementById('root')
if (root === null) throw new Error('index.html has no #root element')
createRoot(root).render(
  <StrictMode>
    <App fragmentKey={fragmentKey} />
  </StrictMode>,
)
