import {
  denyInsecureTransport,
  getAtt,
  logBucketProperties,
  ref,
  scannerExceptions,
  sub,
  type CfnResource,
  type CfnValue,
  type PluginContext,
} from '@mfinfra/core/plugin';
import { ID } from './ids.js';
import { BACKEND_PORT, DEFAULT_OIDC_SCOPE, STATIC_PORT, type UiOptions } from './options.js';
import type { MetadataApi, NetworkApi } from './peerApis.js';

const HTTPS_PORT = 443;

/**
 * Elastic Load Balancing's log-writing account in regions opened before August 2022; newer regions
 * (and unknown ones) use the `logdelivery.elasticloadbalancing.amazonaws.com` service principal.
 */
export const ELB_LOG_ACCOUNTS: Readonly<Record<string, string>> = {
  'us-east-1': '127311923021',
  'us-east-2': '033677994240',
  'us-west-1': '027434742980',
  'us-west-2': '797873946194',
  'af-south-1': '098369216593',
  'ap-east-1': '754344448648',
  'ap-south-1': '718504428378',
  'ap-northeast-1': '582318560864',
  'ap-northeast-2': '600734575887',
  'ap-northeast-3': '383597477331',
  'ap-southeast-1': '114774131450',
  'ap-southeast-2': '783225319266',
  'ca-central-1': '985666609251',
  'eu-central-1': '054676820928',
  'eu-west-1': '156460612806',
  'eu-west-2': '652711504416',
  'eu-west-3': '009996457667',
  'eu-south-1': '635631232127',
  'eu-north-1': '897822967062',
  'me-south-1': '076674570225',
  'sa-east-1': '507241528517',
  'us-gov-west-1': '048591011584',
  'us-gov-east-1': '190560391635',
};

/** The principal that writes load balancer access logs in a region. */
export function logDeliveryPrincipal(region: string | undefined): CfnValue {
  const account = region === undefined ? undefined : ELB_LOG_ACCOUNTS[region];
  return account !== undefined
    ? { AWS: sub(`arn:\${AWS::Partition}:iam::${account}:root`) }
    : { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' };
}

/** Where 443 is open from, with a description for each rule. */
export function loadBalancerSources(options: UiOptions, network: NetworkApi): { cidr: CfnValue; description: string }[] {
  const sources: { cidr: CfnValue; description: string }[] = [];
  if (!options.internetFacing && network.vpcCidr !== undefined) sources.push({ cidr: network.vpcCidr, description: 'the VPC' });
  for (const cidr of options.allowedCidrs) sources.push({ cidr, description: `allowedCidrs ${cidr}` });
  return sources;
}

/** The authenticate action every listener action list starts with (there is no unauthenticated path). */
export function authenticateAction(options: UiOptions): CfnValue {
  const auth = options.auth;
  if (auth.provider === 'oidc') {
    const o = auth.oidc!;
    const secretPath = o.clientSecretKey === undefined ? 'SecretString' : `SecretString:${o.clientSecretKey}`;
    return {
      Type: 'authenticate-oidc',
      Order: 1,
      AuthenticateOidcConfig: {
        Issuer: o.issuer,
        AuthorizationEndpoint: o.authorizationEndpoint,
        TokenEndpoint: o.tokenEndpoint,
        UserInfoEndpoint: o.userInfoEndpoint,
        ClientId: o.clientId,
        // Resolved by CloudFormation at deploy time: the secret is never in the template.
        ClientSecret: `{{resolve:secretsmanager:${o.clientSecretArn}:${secretPath}}}`,
        // Left out, the load balancer would request only "openid", not what the option documents.
        Scope: o.scope ?? DEFAULT_OIDC_SCOPE,
        SessionTimeout: auth.sessionTimeoutSeconds,
        OnUnauthenticatedRequest: 'authenticate',
      },
    };
  }
  return {
    Type: 'authenticate-cognito',
    Order: 1,
    AuthenticateCognitoConfig: {
      UserPoolArn: getAtt(ID.userPool, 'Arn'),
      UserPoolClientId: ref(ID.userPoolClient),
      UserPoolDomain: ref(ID.userPoolDomain),
      Scope: 'openid email',
      SessionTimeout: auth.sessionTimeoutSeconds,
      OnUnauthenticatedRequest: 'authenticate',
    },
  };
}

function forward(targetGroupId: string): CfnValue {
  return { Type: 'forward', Order: 2, TargetGroupArn: ref(targetGroupId) };
}

function targetGroup(network: NetworkApi, port: number, healthPath: string): CfnResource {
  return {
    Type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
    Properties: {
      Protocol: 'HTTP',
      Port: port,
      TargetType: 'ip',
      VpcId: network.vpcId,
      HealthCheckProtocol: 'HTTP',
      HealthCheckPath: healthPath,
      HealthCheckIntervalSeconds: 10,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 3,
      Matcher: { HttpCode: '200-399' },
      TargetGroupAttributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }],
    },
  };
}

function sgRule(type: 'Ingress' | 'Egress', groupId: string, port: number, otherGroupId: string, description: string): CfnResource {
  const other = getAtt(otherGroupId, 'GroupId');
  return {
    Type: `AWS::EC2::SecurityGroup${type}`,
    Properties: {
      GroupId: getAtt(groupId, 'GroupId'),
      IpProtocol: 'tcp',
      FromPort: port,
      ToPort: port,
      ...(type === 'Ingress' ? { SourceSecurityGroupId: other } : { DestinationSecurityGroupId: other }),
      Description: description,
    },
  };
}

/**
 * The application load balancer and what it needs: its security group (443 from the allowed
 * networks only), the access-log bucket, two target groups, one HTTPS listener whose every action
 * authenticates first, the sign-in (Cognito user pool, domain and client, unless OIDC), and an
 * optional Route 53 alias.
 */
export function loadBalancerResources(
  ctx: PluginContext,
  options: UiOptions,
  network: NetworkApi,
  metadata: MetadataApi,
): Record<string, CfnResource> {
  const subnets = options.internetFacing ? network.publicSubnetIds : network.subnetIds;
  if (options.internetFacing && subnets.length < 2) {
    ctx.error(`an internet-facing load balancer needs public subnets in two availability zones, but the network has ${subnets.length}`, {
      path: ['internetFacing'],
      hint: 'create the network with public subnets, or keep the UI internal (internetFacing: false)',
      code: 'NO_PUBLIC_SUBNETS',
    });
  }
  const sources = loadBalancerSources(options, network);
  if (sources.length === 0) {
    ctx.error('nothing may reach the internal UI load balancer: the network does not say its CIDR and allowedCidrs is empty', {
      path: ['allowedCidrs'],
      hint: "give the existing VPC's cidr in the network section, or list the client networks in ui.allowedCidrs",
      code: 'NO_CLIENTS',
    });
  }
  const logsBucket: CfnValue = options.accessLogs.bucket ?? ref(ID.accessLogsBucket);
  // cdk-nag's EC23 cannot read a CIDR that is a reference (the VPC's, from the network plugin) and
  // reports an error instead of a result; every literal source is still checked by it.
  const unreadableSource = sources.some((s) => typeof s.cidr !== 'string') && !sources.some((s) => s.cidr === '0.0.0.0/0');
  const resources: Record<string, CfnResource> = {
    [ID.loadBalancerSecurityGroup]: {
      Type: 'AWS::EC2::SecurityGroup',
      Metadata: unreadableSource
        ? scannerExceptions({
            id: 'AwsSolutions-EC23',
            reason:
              "Port 443 is open only to the VPC's own CIDR (a reference to the network plugin's VPC, which the rule cannot evaluate) and to the manifest's allowedCidrs; never to 0.0.0.0/0, which mfinfra's ingress check refuses for internal load balancers.",
          })
        : undefined,
      Properties: {
        GroupDescription: `Metaflow UI load balancer: HTTPS from the allowed networks (stack ${ctx.stack.name})`,
        VpcId: network.vpcId,
        SecurityGroupIngress: sources.map(({ cidr, description }) => ({
          IpProtocol: 'tcp',
          FromPort: HTTPS_PORT,
          ToPort: HTTPS_PORT,
          CidrIp: cidr,
          Description: `Metaflow UI from ${description}`,
        })),
        SecurityGroupEgress: [
          {
            // The load balancer itself calls the identity provider's token and user info endpoints.
            IpProtocol: 'tcp',
            FromPort: HTTPS_PORT,
            ToPort: HTTPS_PORT,
            CidrIp: '0.0.0.0/0',
            Description: "Sign-in: the identity provider's token and user info endpoints",
          },
        ],
      },
    },
    [ID.loadBalancerEgressToStatic]: sgRule(
      'Egress',
      ID.loadBalancerSecurityGroup,
      STATIC_PORT,
      ID.serviceSecurityGroup,
      'Static UI tasks',
    ),
    [ID.loadBalancerEgressToBackend]: sgRule(
      'Egress',
      ID.loadBalancerSecurityGroup,
      BACKEND_PORT,
      ID.serviceSecurityGroup,
      'UI backend tasks',
    ),
    [ID.serviceSecurityGroup]: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: `Metaflow UI tasks: traffic from the UI load balancer only (stack ${ctx.stack.name})`,
        VpcId: network.vpcId,
      },
    },
    [ID.staticIngressFromLoadBalancer]: sgRule(
      'Ingress',
      ID.serviceSecurityGroup,
      STATIC_PORT,
      ID.loadBalancerSecurityGroup,
      'Static UI from its load balancer',
    ),
    [ID.backendIngressFromLoadBalancer]: sgRule(
      'Ingress',
      ID.serviceSecurityGroup,
      BACKEND_PORT,
      ID.loadBalancerSecurityGroup,
      'UI backend from its load balancer',
    ),
    [ID.databaseIngressFromBackend]: {
      Type: 'AWS::EC2::SecurityGroupIngress',
      Properties: {
        GroupId: metadata.database.securityGroupId,
        IpProtocol: 'tcp',
        FromPort: metadata.database.port,
        ToPort: metadata.database.port,
        SourceSecurityGroupId: getAtt(ID.serviceSecurityGroup, 'GroupId'),
        Description: 'PostgreSQL from the Metaflow UI backend',
      },
    },
    [ID.loadBalancer]: {
      Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
      DependsOn: [...(options.accessLogs.bucket === undefined ? [ID.accessLogsBucketPolicy] : []), ...network.dependsOn],
      Properties: {
        Type: 'application',
        Scheme: options.internetFacing ? 'internet-facing' : 'internal',
        Subnets: subnets,
        SecurityGroups: [getAtt(ID.loadBalancerSecurityGroup, 'GroupId')],
        LoadBalancerAttributes: [
          { Key: 'access_logs.s3.enabled', Value: 'true' },
          { Key: 'access_logs.s3.bucket', Value: logsBucket },
          { Key: 'access_logs.s3.prefix', Value: options.accessLogs.prefix },
          { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        ],
      },
    },
    [ID.staticTargetGroup]: targetGroup(network, STATIC_PORT, '/'),
    [ID.backendTargetGroup]: targetGroup(network, BACKEND_PORT, '/api/ping'),
    [ID.listener]: {
      Type: 'AWS::ElasticLoadBalancingV2::Listener',
      Properties: {
        LoadBalancerArn: ref(ID.loadBalancer),
        Protocol: 'HTTPS',
        Port: HTTPS_PORT,
        Certificates: [{ CertificateArn: options.certificateArn }],
        SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        DefaultActions: [authenticateAction(options), forward(ID.staticTargetGroup)],
      },
    },
    [ID.backendRule]: {
      Type: 'AWS::ElasticLoadBalancingV2::ListenerRule',
      Properties: {
        ListenerArn: ref(ID.listener),
        Priority: 1,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
        Actions: [authenticateAction(options), forward(ID.backendTargetGroup)],
      },
    },
  };
  if (options.accessLogs.bucket === undefined) Object.assign(resources, accessLogsBucket(ctx, options));
  if (options.auth.provider === 'cognito') Object.assign(resources, cognitoResources(ctx, options));
  if (options.hostedZoneId !== undefined) {
    resources[ID.dnsRecord] = {
      Type: 'AWS::Route53::RecordSet',
      Properties: {
        HostedZoneId: options.hostedZoneId,
        Name: options.domainName,
        Type: 'A',
        AliasTarget: {
          DNSName: getAtt(ID.loadBalancer, 'DNSName'),
          HostedZoneId: getAtt(ID.loadBalancer, 'CanonicalHostedZoneID'),
          EvaluateTargetHealth: false,
        },
      },
    };
  }
  return resources;
}

const LOG_BUCKET_REASON =
  "This bucket is itself a log bucket: it holds only the UI load balancer's access logs, written by Elastic Load Balancing. Logging access to it would need another log bucket whose own access again goes unlogged; reads of the logs are recorded by CloudTrail (S3 data events, when the account enables them).";

function accessLogsBucket(ctx: PluginContext, options: UiOptions): Record<string, CfnResource> {
  const bucketArn = getAtt(ID.accessLogsBucket, 'Arn');
  return {
    [ID.accessLogsBucket]: {
      Type: 'AWS::S3::Bucket',
      // Access logs are audit records: kept when the stack or the section is deleted.
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Metadata: scannerExceptions({ id: 'AwsSolutions-S1', reason: LOG_BUCKET_REASON }, { id: 'CKV_AWS_18', reason: LOG_BUCKET_REASON }),
      // Load balancer access logs support only SSE-S3.
      Properties: logBucketProperties([
        { Id: 'expire-access-logs', Status: 'Enabled', ExpirationInDays: options.accessLogs.retentionDays },
      ]),
    },
    [ID.accessLogsBucketPolicy]: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: ref(ID.accessLogsBucket),
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'LoadBalancerWritesAccessLogs',
              Effect: 'Allow',
              Principal: logDeliveryPrincipal(ctx.stack.region),
              Action: 's3:PutObject',
              Resource: sub(`\${Arn}/${options.accessLogs.prefix}/AWSLogs/\${AWS::AccountId}/*`, { Arn: bucketArn }),
            },
            denyInsecureTransport(ID.accessLogsBucket),
          ],
        },
      },
    },
  };
}

function cognitoResources(ctx: PluginContext, options: UiOptions): Record<string, CfnResource> {
  const threatProtection = options.auth.cognito.threatProtection;
  // A globally unique, stable domain prefix: the last part of the stack id (cannot contain "aws").
  const stackUuidTail = { 'Fn::Select': [4, { 'Fn::Split': ['-', { 'Fn::Select': [2, { 'Fn::Split': ['/', ref('AWS::StackId')] }] }] }] };
  return {
    [ID.userPool]: {
      Type: 'AWS::Cognito::UserPool',
      // The users are state: kept (and protected) when the stack or the section is deleted.
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Metadata:
        threatProtection === 'off'
          ? scannerExceptions({
              id: 'AwsSolutions-COG8',
              reason:
                'Threat protection (the Plus feature plan) is opt-in (ui.auth.cognito.threatProtection: audit or enforced) because it is billed per monthly active user from the first one; without it the pool still allows only users an administrator creates, a 16-character password policy, optional or required MFA, and no sign-in path that skips the load balancer.',
            })
          : undefined,
      Properties: {
        ...(threatProtection === 'off'
          ? {}
          : { UserPoolTier: 'PLUS', UserPoolAddOns: { AdvancedSecurityMode: threatProtection === 'enforced' ? 'ENFORCED' : 'AUDIT' } }),
        UserPoolName: ctx.naming.physicalName('ui-users', { maxLength: 128 }),
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
        AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
        MfaConfiguration: options.auth.cognito.mfa === 'required' ? 'ON' : 'OPTIONAL',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        DeletionProtection: 'ACTIVE',
        Policies: {
          PasswordPolicy: {
            MinimumLength: 16,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
            TemporaryPasswordValidityDays: 7,
          },
        },
      },
    },
    [ID.userPoolDomain]: {
      Type: 'AWS::Cognito::UserPoolDomain',
      Properties: {
        UserPoolId: ref(ID.userPool),
        Domain: { 'Fn::Join': ['', ['metaflow-ui-', stackUuidTail]] },
      },
    },
    [ID.userPoolClient]: {
      Type: 'AWS::Cognito::UserPoolClient',
      Properties: {
        UserPoolId: ref(ID.userPool),
        ClientName: 'metaflow-ui',
        GenerateSecret: true,
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email'],
        CallbackURLs: [`https://${options.domainName}/oauth2/idpresponse`],
        SupportedIdentityProviders: ['COGNITO'],
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
      },
    },
  };
}
