import { createHash } from 'node:crypto';
import { getAtt, ref, sub, type CfnResource, type CfnValue, type PluginContext } from '@mfinfra/core/plugin';
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
      Properties: {
        Name: ctx.naming.physicalName('metadata-api', { maxLength: 128 }),
        Description: `Metaflow metadata service (stack ${ctx.stack.name}); every method needs an API key`,
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
    [ID.proxyMethod]: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        RestApiId: ref(ID.api),
        ResourceId: ref(ID.proxyResource),
        HttpMethod: 'ANY',
        AuthorizationType: 'NONE',
        ApiKeyRequired: true,
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
  return {
    ...api,
    [deploymentId]: {
      Type: 'AWS::ApiGateway::Deployment',
      DependsOn: [ID.proxyMethod],
      Properties: { RestApiId: ref(ID.api), Description: 'Metaflow metadata service API' },
    },
    [ID.stage]: {
      Type: 'AWS::ApiGateway::Stage',
      Properties: {
        RestApiId: ref(ID.api),
        DeploymentId: ref(deploymentId),
        StageName: STAGE_NAME,
        MethodSettings: [
          { ResourcePath: '/*', HttpMethod: '*', ThrottlingRateLimit: gw.throttle.rateLimit, ThrottlingBurstLimit: gw.throttle.burstLimit },
        ],
      },
    },
    [ID.apiKey]: {
      Type: 'AWS::ApiGateway::ApiKey',
      Properties: {
        Name: ctx.naming.physicalName('metadata-api-key', { maxLength: 128 }),
        Description: 'METAFLOW_SERVICE_AUTH_KEY for the Metaflow metadata service (read it with `mfinfra outputs`)',
        Enabled: true,
      },
    },
    [ID.usagePlan]: {
      Type: 'AWS::ApiGateway::UsagePlan',
      Properties: {
        UsagePlanName: ctx.naming.physicalName('metadata-usage-plan', { maxLength: 128 }),
        Description: 'Metaflow metadata service API key usage',
        ApiStages: [{ ApiId: ref(ID.api), Stage: ref(ID.stage) }],
        Throttle: throttle,
      },
    },
    [ID.usagePlanKey]: {
      Type: 'AWS::ApiGateway::UsagePlanKey',
      Properties: { KeyId: ref(ID.apiKey), KeyType: 'API_KEY', UsagePlanId: ref(ID.usagePlan) },
    },
  };
}

/** `https://<api>.execute-api.<region>.<suffix>/api/` */
export function apiUrl(): CfnValue {
  return sub(`https://\${${ID.api}}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/\${${ID.stage}}/`);
}
