/**
 * Two Jest projects:
 * - unit: pure code and synthesized Terraform; needs nothing running.
 * - integration: real services (Kafka, a local DynamoDB (dynalite), the RCF model server) that the global
 *   setup installs into .cache/ and starts on loopback ports, and stops afterwards.
 * `npx jest --selectProjects unit` runs only the fast part.
 */
const tsJest = ["ts-jest", { diagnostics: false }];
const common = {
  testEnvironment: "node",
  transform: { "^.+\\.tsx?$": tsJest },
  moduleFileExtensions: ["ts", "js", "json"],
  testPathIgnorePatterns: ["/node_modules/", "/cdktf.out/", "/.cache/"],
};

module.exports = {
  projects: [
    { ...common, displayName: "unit", testMatch: ["<rootDir>/test/unit/**/*.test.ts"] },
    {
      ...common,
      displayName: "integration",
      testMatch: ["<rootDir>/test/integration/**/*.test.ts"],
      globalSetup: "<rootDir>/test/setup/global-setup.ts",
      globalTeardown: "<rootDir>/test/setup/global-teardown.ts",
    },
  ],
};
