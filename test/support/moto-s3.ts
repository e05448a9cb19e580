// moto's S3 server on loopback: the bucket `aws cloudformation package` uploads the packaged code to in a build.
// One server per test file is enough (start it in before(), stop it in after()); buckets keep files apart.
import { pythonEnv } from './chalice.js';
import { startServer } from './processes.js';

export interface S3Server {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  /**
   * What a process needs to use this server as S3: AWS CLI 1.45 (botocore 1.43) honours the service-specific
   * AWS_ENDPOINT_URL_S3, which also reaches the S3 client inside `aws cloudformation package`, where --endpoint-url
   * would only change the CloudFormation endpoint.
   */
  env: Record<string, string>;
  createBucket(name: string): Promise<void>;
  /** Keys of the objects in a bucket. */
  listKeys(bucket: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** Starts `python3 -m moto.server` on a port the system picks (moto prints it). */
export async function startS3Server(): Promise<S3Server> {
  const server = await startServer('python3', ['-m', 'moto.server', '--host', '127.0.0.1', '--port', '0'], {
    cwd: process.cwd(), env: pythonEnv(), name: 'moto server', ready: /Running on (http:\/\/127\.0\.0\.1:\d+)/, timeoutMs: 30_000,
  });
  const endpoint = server.address;
  // moto answers path-style requests without checking signatures: plain HTTP is enough to set up and inspect.
  const call = async (method: string, path: string): Promise<string> => {
    const response = await fetch(`${endpoint}${path}`, { method });
    const body = await response.text();
    if (!response.ok) throw new Error(`moto S3 ${method} ${path}: ${response.status} ${body}`);
    return body;
  };
  return {
    endpoint,
    env: { AWS_ENDPOINT_URL_S3: endpoint },
    createBucket: async (name) => { await call('PUT', `/${name}`); },
    listKeys: async (bucket) => [...(await call('GET', `/${bucket}?list-type=2`)).matchAll(/<Key>([^<]*)<\/Key>/g)].map((match) => match[1]!),
    stop: server.stop,
  };
}
