// localcloud's `cfn-response`: the same API as the module AWS provides to
// CloudFormation custom-resource functions written inline (Code.ZipFile).
// send() PUTs the custom resource's answer to the presigned event.ResponseURL,
// then calls context.done(), as AWS's module does. Unlike AWS's, it speaks
// http:// too, since a local cloud's ResponseURL is http://127.0.0.1:...
'use strict';

const http = require('http');
const https = require('https');

exports.SUCCESS = 'SUCCESS';
exports.FAILED = 'FAILED';

exports.send = function send(event, context, responseStatus, responseData, physicalResourceId, noEcho) {
  const responseBody = JSON.stringify({
    Status: responseStatus,
    Reason: 'See the details in CloudWatch Log Stream: ' + context.logStreamName,
    PhysicalResourceId: physicalResourceId || context.logStreamName,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: noEcho || false,
    Data: responseData,
  });
  console.log('Response body:\n', responseBody);

  const url = new URL(event.ResponseURL);
  const transport = url.protocol === 'http:' ? http : https;
  const request = transport.request(
    url,
    {
      method: 'PUT',
      // CloudFormation's presigned URL is signed for an empty content type.
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(responseBody) },
    },
    (response) => {
      console.log('Status code: ' + parseInt(response.statusCode, 10));
      response.resume();
      response.on('end', () => context.done());
    },
  );
  request.on('error', (error) => {
    console.log('send(..) failed executing https.request(..): ' + maskSignature(String(error)));
    context.done();
  });
  request.write(responseBody);
  request.end();
};

function maskSignature(text) {
  return text.replace(/(X-Amz-Credential|X-Amz-Signature)=[^&\s]+/gi, '$1=***');
}
