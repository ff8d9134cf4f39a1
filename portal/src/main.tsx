import { render } from "preact";
import { App } from "./app.js";
import { followNewLinks } from "./session.js";

followNewLinks();
render(<App />, document.getElementById("app")!);
