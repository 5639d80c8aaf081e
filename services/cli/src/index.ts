export { startRuntime, SERVICE_NAMES, type Runtime, type RuntimeOptions, type ServiceName } from './runtime.js';
export { runDemo } from './demo/run-demo.js';
export { generateDemoScenario, DEMO_BRANDS, DEMO_BRANDS_ENV, type DemoScenario } from './demo/scenario.js';
export { expandGrafanaMacros, type MacroValues } from './grafana-macros.js';
export { startLocalKafka, stopLocalKafka, KAFKA_SCRIPT } from './kafka-broker.js';
