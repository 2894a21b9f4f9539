/** What the server's middleware puts on every request, for the routes of any role. */
export type ServerEnv = { Variables: { clientAddress: string } };
