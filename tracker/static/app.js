// Starts the NHS.UK frontend components. Loaded as a module: the CSP allows no inline script.
import { initAll } from "./vendor/nhsuk-frontend/nhsuk-frontend.min.js";
import { stackTables } from "./tables.js";

document.body.classList.add("nhsuk-frontend-supported");
stackTables();
initAll();
