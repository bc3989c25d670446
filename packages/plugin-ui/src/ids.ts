/** Logical ids of every resource the UI plugin creates (stable: renaming one replaces it). */
export const ID = {
  loadBalancerSecurityGroup: 'UiLoadBalancerSecurityGroup',
  loadBalancerEgressToStatic: 'UiLoadBalancerEgressToStatic',
  loadBalancerEgressToBackend: 'UiLoadBalancerEgressToBackend',
  serviceSecurityGroup: 'UiServiceSecurityGroup',
  staticIngressFromLoadBalancer: 'UiStaticIngressFromLoadBalancer',
  backendIngressFromLoadBalancer: 'UiBackendIngressFromLoadBalancer',
  databaseIngressFromBackend: 'UiDatabaseIngressFromBackend',
  loadBalancer: 'UiLoadBalancer',
  accessLogsBucket: 'UiAccessLogsBucket',
  accessLogsBucketPolicy: 'UiAccessLogsBucketPolicy',
  staticTargetGroup: 'UiStaticTargetGroup',
  backendTargetGroup: 'UiBackendTargetGroup',
  listener: 'UiHttpsListener',
  backendRule: 'UiBackendListenerRule',
  userPool: 'UiUserPool',
  userPoolDomain: 'UiUserPoolDomain',
  userPoolClient: 'UiUserPoolClient',
  dnsRecord: 'UiDnsRecord',
  logGroup: 'UiLogGroup',
  executionRole: 'UiTaskExecutionRole',
  backendTaskRole: 'UiBackendTaskRole',
  staticTaskRole: 'UiStaticTaskRole',
  backendTaskDefinition: 'UiBackendTaskDefinition',
  staticTaskDefinition: 'UiStaticTaskDefinition',
  backendService: 'UiBackendService',
  staticService: 'UiStaticService',
} as const;

export const BACKEND_CONTAINER = 'ui-backend';
export const STATIC_CONTAINER = 'ui-static';

/** Stack outputs (not config keys). */
export const OUTPUT = {
  loadBalancerDnsName: 'UiLoadBalancerDnsName',
  loadBalancerZoneId: 'UiLoadBalancerHostedZoneId',
  userPoolId: 'UiUserPoolId',
} as const;
