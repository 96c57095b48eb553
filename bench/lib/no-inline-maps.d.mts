/** Installs the load hook that strips tsx's inline source maps from our packages' modules (see no-inline-maps.mjs). */
export function installNoInlineMaps(): void;
