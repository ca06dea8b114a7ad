// The Azure layer: reading the deployed state and Defender's findings, mapping them onto the
// repository, and the explicit writes (policy push, onboarding, plan). No vscode here.
export * from './arm';
export * from './apply';
export * from './load';
export * from './mapping';
export * from './merge';
export * from './policies';
export * from './snapshot';
export * from './record';
export * from './summary';
