import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { theme } from './lib/state/theme.svelte.js';

// Set before the first paint, so a dark system theme does not flash light.
document.documentElement.dataset.theme = theme.resolved;

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

export default mount(App, { target });
