/** The simulation's parameters live in domain (config validates them too); re-exported here. */
export * from '../domain/simulation-params.js';
