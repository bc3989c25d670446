/**
 * An optional private ECR repository for Metaflow's job images. Kept when the stack is deleted or
 * the repository replaced (it holds images people pushed).
 */
import { sub, type CfnResource, type CfnValue, type PluginContext } from '@mfinfra/core/plugin';
import { stackTags } from './iam.js';

export const DEFAULT_UNTAGGED_EXPIRY_DAYS = 14;

export function repositoryName(ctx: PluginContext, name?: string): string {
  return name ?? ctx.naming.physicalName(['metaflow'], { maxLength: 256 });
}

export function containerRepository(ctx: PluginContext, options: { name?: string; untaggedImageExpiryDays?: number }): CfnResource {
  const days = options.untaggedImageExpiryDays ?? DEFAULT_UNTAGGED_EXPIRY_DAYS;
  const lifecycle = {
    rules: [
      {
        rulePriority: 1,
        description: `Delete untagged images after ${days} days`,
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: days },
        action: { type: 'expire' },
      },
    ],
  };
  return {
    Type: 'AWS::ECR::Repository',
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      RepositoryName: repositoryName(ctx, options.name),
      ImageScanningConfiguration: { ScanOnPush: true },
      EncryptionConfiguration: { EncryptionType: 'AES256' },
      ImageTagMutability: 'MUTABLE',
      LifecyclePolicy: { LifecyclePolicyText: JSON.stringify(lifecycle) },
      Tags: stackTags(ctx),
    },
  };
}

/** This account's registry in this region: what Metaflow prefixes to METAFLOW_BATCH_CONTAINER_IMAGE. */
export function accountRegistry(): CfnValue {
  return sub('${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}');
}
