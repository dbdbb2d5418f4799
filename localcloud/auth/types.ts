/**
 * The vocabulary of localcloud's trust boundary, shared by authentication
 * (who signed this request), the action map (what the request would do, in
 * IAM's terms) and the policy evaluator (may that principal do it).
 */

/** Who made a request, once its signature has been verified. */
export type Principal =
  /** The account itself: `test`/`test`, a 12-digit access key (LocalStack's convention), or internal calls. */
  | { kind: 'root'; accountId: string; arn: string }
  /** An IAM user, through one of its access keys (or a GetSessionToken session of it). */
  | { kind: 'user'; accountId: string; arn: string; userName: string; userId: string }
  /** A session of an IAM role (AssumeRole, or a Lambda function's execution role). */
  | {
      kind: 'assumed-role';
      accountId: string;
      /** `arn:aws:sts::<account>:assumed-role/<role name>/<session name>` */
      arn: string;
      roleArn: string;
      roleName: string;
      sessionName: string;
      /** `<role id>:<session name>`, as aws:userid reports it. */
      userId: string;
      /** The inline session policy passed to AssumeRole, as JSON text. */
      sessionPolicy?: string;
    }
  /** An unsigned request (S3 allows these where a bucket policy grants `*`). */
  | { kind: 'anonymous'; accountId?: undefined; arn: '*' }
  /**
   * An AWS service acting on its own behalf, as resource policies name it
   * (`{"Service": "lambda.amazonaws.com"}`): Lambda assuming a function's
   * execution role, S3 invoking a function. `arn` repeats the service
   * principal's name, which is how AWS reports such a caller.
   */
  | { kind: 'service'; accountId?: undefined; service: string; arn: string };

/** One permission an operation needs, in the terms of AWS's Service Authorization Reference. */
export interface RequiredPermission {
  /** e.g. `dynamodb:BatchWriteItem` */
  action: string;
  /** The resource ARN the action applies to, or `*` where the reference lists none. */
  resource: string;
  /** Service-specific condition keys this request sets (e.g. `s3:prefix`, `iam:PassedToService`). */
  context?: Record<string, string | string[]>;
}
