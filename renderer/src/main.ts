import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { applyTheme } from './lib/state/apply-theme.js';
import { theme } from './lib/state/theme.svelte.js';

// Set before the first paint, so a dark system theme does not flash light.
applyTheme(document.documentElement, theme.resolved);

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

export default mount(App, { target });
