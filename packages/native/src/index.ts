export const backend = "js";
