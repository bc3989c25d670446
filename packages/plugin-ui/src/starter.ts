/**
 * The section `mfinfra init` writes for this plugin (the plugin's `starter`): small, valid on its
 * own, with the settings people change first shown as comments.
 */
export const starter = `# The Metaflow UI behind an internal HTTPS load balancer; everyone signs in (Cognito users you create).
ui:
  domainName: metaflow.example.com        # replace: the name people open; the certificate must cover it
  certificateArn: arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-4000-8000-000000000000  # replace: your ACM certificate
  # hostedZoneId: Z0123456789ABCDEFGHIJ   # a Route 53 alias record for domainName
  # allowedCidrs: [10.99.0.0/16]          # e.g. your VPN, besides the VPC
  # auth: { provider: oidc, oidc: { issuer: https://login.example.com, ... } }  # your identity provider instead
`;
