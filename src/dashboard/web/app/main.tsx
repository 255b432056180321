// The dashboard's browser app: mounted into #app of the server's index.html (no inline script or style).
import "uplot/dist/uPlot.min.css";
import "./app.css";
import { render } from "preact";
import { App } from "./App.tsx";

const root = document.getElementById("app");
if (root) render(<App />, root);
