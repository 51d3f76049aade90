/**
 * The CDKTF app: three stacks, deployed in this order —
 *   foundation → (train the model: scripts/train-rcf.ts) → pipeline → platform.
 * The configuration is loaded and validated once, here.
 */
import { App } from "cdktf";
import { loadConfig } from "./lib/config";
import { FoundationStack } from "./stacks/foundation";
import { PipelineStack } from "./stacks/pipeline";

const config = loadConfig();
const app = new App();
const foundation = new FoundationStack(app, "foundation", { config });
new PipelineStack(app, "pipeline", { config, foundation });
// The platform stack (stacks/platform.ts) is wired here once FoundationStack exposes the cluster outputs.
app.synth();
