import { createHash } from 'node:crypto';
import {
  getAtt,
  logGroup,
  nagValue,
  ref,
  scannerExceptions,
  serviceTrustPolicy,
  sub,
  type CfnResource,
  type CfnValue,
  type PluginContext,
} from '@mfinfra/core/plugin';
import { ID, STAGE_NAME } from './ids.js';
import type { MetadataOptions } from './options.js';

/**
 * Public access the way Metaflow's official template does it: a REST API whose methods require an
 * API key, forwarding through a VPC link to the internal load balancer, a stage `api`, and a usage
 * plan that ties the key to the stage. The key's value is never in the template or its outputs.
 */
export function apiGatewayResources(ctx: PluginContext, options: MetadataOptions): Record<string, CfnResource> {
  const gw = options.apiGateway;
  const policy: CfnValue | undefined =
    gw.allowedSourceCidrs.length > 0
      ? {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
            {
              Effect: 'Deny',
              Principal: '*',
              Action: 'execute-api:Invoke',
              Resource: 'execute-api:/*',
              Condition: { NotIpAddress: { 'aws:SourceIp': [...gw.allowedSourceCidrs] } },
            },
          ],
        }
      : undefined;
  const iam = gw.authorization === 'iam';
  const auth = { AuthorizationType: iam ? 'AWS_IAM' : 'NONE', ApiKeyRequired: !iam, RequestValidatorId: ref(ID.requestValidator) };
  const methodExceptions = scannerExceptions(
    ...(iam
      ? []
      : [
          {
            id: 'AwsSolutions-APIG4',
            reason:
              "Guarded by a required API key (METAFLOW_SERVICE_AUTH_KEY), the one credential Metaflow's client can send (plus the optional source allow-list); apiGateway.authorization: iam gives per-user IAM identity instead.",
          },
        ]),
    {
      id: 'AwsSolutions-COG4',
      reason: iam
        ? 'IAM (SigV4) authorization identifies each caller; a Cognito user pool would be a second identity system for the same users.'
        : 'Metaflow clients cannot sign in to a Cognito user pool; the API key (or apiGateway.authorization: iam) is the gate.',
    },
  );
  const integration = (uri: CfnValue, extra: Record<string, CfnValue> = {}) => ({
    Type: 'HTTP_PROXY',
    IntegrationHttpMethod: 'ANY',
    ConnectionType: 'VPC_LINK',
    ConnectionId: ref(ID.vpcLink),
    Uri: uri,
    PassthroughBehavior: 'WHEN_NO_MATCH',
    TimeoutInMillis: 29000,
    ...extra,
  });
  const api: Record<string, CfnResource> = {
    [ID.api]: {
      Type: 'AWS::ApiGateway::RestApi',
      Metadata: scannerExceptions({
        id: 'AwsSolutions-APIG2',
        reason:
          'A pass-through proxy to the metadata service, which validates every body itself; API Gateway validates the required path parameters (MetadataApiRequestValidator). Body validation without a model per route would check nothing.',
      }),
      Properties: {
        Name: ctx.naming.physicalName('metadata-api', { maxLength: 128 }),
        Description: `Metaflow metadata service (stack ${ctx.stack.name}); every method needs ${iam ? 'a SigV4-signed request (IAM)' : 'an API key'}`,
        EndpointConfiguration: { Types: [gw.endpointType] },
        Policy: policy,
      },
    },
    [ID.vpcLink]: {
      Type: 'AWS::ApiGateway::VpcLink',
      Properties: {
        Name: ctx.naming.physicalName('metadata-vpc-link', { maxLength: 128 }),
        Description: 'API Gateway to the internal metadata load balancer',
        TargetArns: [ref(ID.loadBalancer)],
      },
    },
    [ID.proxyResource]: {
      Type: 'AWS::ApiGateway::Resource',
      Properties: { RestApiId: ref(ID.api), ParentId: getAtt(ID.api, 'RootResourceId'), PathPart: '{proxy+}' },
    },
    [ID.requestValidator]: {
      Type: 'AWS::ApiGateway::RequestValidator',
      Properties: { RestApiId: ref(ID.api), ValidateRequestParameters: true, ValidateRequestBody: false },
    },
    [ID.proxyMethod]: {
      Type: 'AWS::ApiGateway::Method',
      Metadata: methodExceptions,
      Properties: {
        RestApiId: ref(ID.api),
        ResourceId: ref(ID.proxyResource),
        HttpMethod: 'ANY',
        ...auth,
        RequestParameters: { 'method.request.path.proxy': true },
        Integration: integration(sub(`http://\${${ID.loadBalancer}.DNSName}/{proxy}`), {
          RequestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
        }),
      },
    },
  };
  // A deployment is a snapshot of the API: a new logical id whenever the API changes redeploys it.
  const deploymentId = ID.deploymentPrefix + createHash('sha256').update(JSON.stringify(api)).digest('hex').slice(0, 10);
  const throttle = { RateLimit: gw.throttle.rateLimit, BurstLimit: gw.throttle.burstLimit };
  const logging = gw.logging;
  const resources: Record<string, CfnResource> = {
    ...api,
    [deploymentId]: {
      Type: 'AWS::ApiGateway::Deployment',
      DependsOn: [ID.proxyMethod],
      Properties: { RestApiId: ref(ID.api), Description: 'Metaflow metadata service API' },
    },
    [ID.stage]: {
      Type: 'AWS::ApiGateway::Stage',
      // Execution logging needs the account's CloudWatch role in place first.
      DependsOn: logging.executionLogLevel !== 'OFF' ? [ID.apiGatewayAccount] : undefined,
      Metadata: scannerExceptions(
        ...(logging.accessLogs
          ? []
          : [
              {
                id: 'AwsSolutions-APIG1',
                reason: 'Access logging is turned off in the manifest (metadata.apiGateway.logging.accessLogs: false).',
              },
            ]),
        ...(logging.executionLogLevel !== 'OFF'
          ? []
          : [
              {
                id: 'AwsSolutions-APIG6',
                reason: 'Execution logging is turned off in the manifest (metadata.apiGateway.logging.executionLogLevel: OFF).',
              },
            ]),
        ...(gw.waf
          ? []
          : [
              {
                id: 'AwsSolutions-APIG3',
                reason:
                  'WAF is opt-in (metadata.apiGateway.waf) to keep an idle deployment cheap (a web ACL costs about $5/month plus $1 per rule); every method requires the API key or IAM, and allowedSourceCidrs can limit callers.',
              },
            ]),
      ),
      Properties: {
        RestApiId: ref(ID.api),
        DeploymentId: ref(deploymentId),
        StageName: STAGE_NAME,
        AccessLogSetting: logging.accessLogs
          ? { DestinationArn: getAtt(ID.apiAccessLogGroup, 'Arn'), Format: ACCESS_LOG_FORMAT }
          : undefined,
        MethodSettings: [
          {
            ResourcePath: '/*',
            HttpMethod: '*',
            ThrottlingRateLimit: gw.throttle.rateLimit,
            ThrottlingBurstLimit: gw.throttle.burstLimit,
            LoggingLevel: logging.executionLogLevel,
            // Full request/response logging would write the API key and metadata payloads to the logs.
            DataTraceEnabled: false,
            MetricsEnabled: true,
          },
        ],
      },
    },
  };
  if (logging.accessLogs) {
    resources[ID.apiAccessLogGroup] = logGroup({ retentionDays: logging.retentionDays, retain: true });
  }
  if (logging.executionLogLevel !== 'OFF') Object.assign(resources, accountResources());
  if (!iam) {
    resources[ID.apiKey] = {
      Type: 'AWS::ApiGateway::ApiKey',
      Properties: {
        Name: ctx.naming.physicalName('metadata-api-key', { maxLength: 128 }),
        Description: 'METAFLOW_SERVICE_AUTH_KEY for the Metaflow metadata service (read it with `mfinfra outputs`)',
        Enabled: true,
      },
    };
    resources[ID.usagePlan] = {
      Type: 'AWS::ApiGateway::UsagePlan',
      Properties: {
        UsagePlanName: ctx.naming.physicalName('metadata-usage-plan', { maxLength: 128 }),
        Description: 'Metaflow metadata service API key usage',
        ApiStages: [{ ApiId: ref(ID.api), Stage: ref(ID.stage) }],
        Throttle: throttle,
      },
    };
    resources[ID.usagePlanKey] = {
      Type: 'AWS::ApiGateway::UsagePlanKey',
      Properties: { KeyId: ref(ID.apiKey), KeyType: 'API_KEY', UsagePlanId: ref(ID.usagePlan) },
    };
  }
  if (gw.waf) Object.assign(resources, wafResources(ctx, gw.waf));
  return resources;
}

/** One JSON object per request (API Gateway `$context` variables). */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  sourceIp: '$context.identity.sourceIp',
  caller: '$context.identity.caller',
  userArn: '$context.identity.userArn',
  apiKeyId: '$context.identity.apiKeyId',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  integrationLatency: '$context.integrationLatency',
});

/**
 * API Gateway writes execution logs through one CloudWatch role per account and region
 * (AWS::ApiGateway::Account). Setting it replaces a role set before (for every API in the region),
 * so the role is kept when the stack is deleted: other APIs may rely on it by then.
 */
function accountResources(): Record<string, CfnResource> {
  const policy = sub('arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs');
  return {
    [ID.apiGatewayCloudWatchRole]: {
      Type: 'AWS::IAM::Role',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Metadata: scannerExceptions({
        id: 'AwsSolutions-IAM4',
        reason:
          "AmazonAPIGatewayPushToCloudWatchLogs is AWS's policy made for API Gateway's account-level logging role: it must create the execution log groups API Gateway names at run time; only apigateway.amazonaws.com can assume the role.",
        appliesTo: [`Policy::${nagValue(policy)}`],
      }),
      Properties: {
        Description: 'API Gateway writes execution and access logs to CloudWatch Logs (account-level setting of this region)',
        AssumeRolePolicyDocument: serviceTrustPolicy('apigateway.amazonaws.com'),
        ManagedPolicyArns: [policy],
      },
    },
    [ID.apiGatewayAccount]: {
      Type: 'AWS::ApiGateway::Account',
      Properties: { CloudWatchRoleArn: getAtt(ID.apiGatewayCloudWatchRole, 'Arn') },
    },
  };
}

/** A regional web ACL (AWS managed common rules + a per-address rate limit), or a given one, on the stage. */
function wafResources(ctx: PluginContext, waf: NonNullable<MetadataOptions['apiGateway']['waf']>): Record<string, CfnResource> {
  const stageArn = sub(`arn:\${AWS::Partition}:apigateway:\${AWS::Region}::/restapis/\${${ID.api}}/stages/\${${ID.stage}}`);
  const association: CfnResource = {
    Type: 'AWS::WAFv2::WebACLAssociation',
    Properties: { ResourceArn: stageArn, WebACLArn: waf.webAclArn ?? getAtt(ID.webAcl, 'Arn') },
  };
  if (waf.webAclArn !== undefined) return { [ID.webAclAssociation]: association };
  const metric = (name: string) => ({ SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: name });
  return {
    [ID.webAcl]: {
      Type: 'AWS::WAFv2::WebACL',
      Properties: {
        Name: ctx.naming.physicalName('metadata-api', { maxLength: 128 }),
        Description: 'Metaflow metadata API: AWS managed common rules and a per-address rate limit',
        Scope: 'REGIONAL',
        DefaultAction: { Allow: {} },
        VisibilityConfig: metric('metadata-api'),
        Rules: [
          {
            Name: 'AWSManagedRulesCommonRuleSet',
            Priority: 0,
            OverrideAction: { None: {} },
            Statement: {
              ManagedRuleGroupStatement: {
                VendorName: 'AWS',
                Name: 'AWSManagedRulesCommonRuleSet',
                // Only counted: Metaflow posts metadata for many artifacts or tasks at once, bodies over the rule's 8 KB.
                RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }],
              },
            },
            VisibilityConfig: metric('common-rule-set'),
          },
          {
            Name: 'RateLimitPerAddress',
            Priority: 1,
            Action: { Block: {} },
            Statement: { RateBasedStatement: { Limit: waf.rateLimitPer5Minutes ?? 2000, AggregateKeyType: 'IP' } },
            VisibilityConfig: metric('rate-limit'),
          },
        ],
      },
    },
    [ID.webAclAssociation]: association,
  };
}

/** `https://<api>.execute-api.<region>.<suffix>/api/` */
export function apiUrl(): CfnValue {
  return sub(`https://\${${ID.api}}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/\${${ID.stage}}/`);
}
