/**
 * The CDKTF app: three stacks, deployed in this order —
 *   foundation → (train the model: scripts/train-rcf.ts) → pipeline → platform.
 * The configuration is loaded and validated once, here.
 */
import { App } from "cdktf";
import { loadConfig } from "./lib/config";
import { buildApp } from "./stacks/app";

const app = new App();
buildApp(app, loadConfig());
app.synth();
