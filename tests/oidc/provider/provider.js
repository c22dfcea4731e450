// A real OpenID provider for the single sign-on tests: node provider.js PORT REDIRECT_URI LOGOUT_URI
// Its development sign-in page takes any password; the login name picks an account below.
import Provider from "oidc-provider";

const [port, redirectUri, logoutUri] = process.argv.slice(2);
const accounts = {
  "lena.holm": {
    email: "lena.holm@example.com",
    email_verified: true,
    given_name: "Lena",
    family_name: "Holm",
    preferred_username: "lena.holm",
    groups: ["qa-leads", "team-support"],
  },
  "omar.said": {
    email: "omar.said@example.com",
    email_verified: true,
    given_name: "Omar",
    family_name: "Said",
    preferred_username: "omar.said",
    groups: ["qa-evaluators", "team-sales"],
  },
  "no.group": {
    email: "no.group@example.com",
    email_verified: true,
    given_name: "No",
    family_name: "Group",
    preferred_username: "no.group",
    groups: ["canteen"],
  },
};

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: "qalibrate",
      client_secret: "qalibrate-test-secret",
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [logoutUri],
    },
  ],
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["given_name", "family_name", "preferred_username", "groups"],
  },
  async findAccount(ctx, id) {
    if (!accounts[id]) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...accounts[id] }; } };
  },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  pkce: { required: () => false },
  cookies: { keys: ["qalibrate-tests"] },
});
provider.listen(Number(port), "127.0.0.1", () => console.log("ready"));
