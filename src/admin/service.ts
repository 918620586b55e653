/**
 * The admin service of the suite (`[admin] listen`): /healthz and /metrics for the whole suite,
 * reading the shared metrics registry every service records into.
 */
import type { Endpoint, RunningService, ServiceContext, ServiceDefinition } from '../core/service/service.js';
import { AdminServer } from './admin-server.js';

/** The running admin service. */
export class AdminService implements RunningService {
  readonly name = 'admin';
  readonly server: AdminServer;

  private constructor(server: AdminServer) {
    this.server = server;
  }

  static async start(context: ServiceContext): Promise<AdminService> {
    const server = new AdminServer({
      registry: context.metrics.registry,
      services: () => context.serviceNames(),
    });
    try {
      for (const address of context.config.admin?.listen ?? []) await server.listen(address);
    } catch (err) {
      await server.close();
      throw err;
    }
    return new AdminService(server);
  }

  endpoints(): Endpoint[] {
    return this.server.addresses().map((a) => ({
      service: 'admin',
      transport: 'tcp',
      host: a.host,
      port: a.port,
      tls: 'none',
      note: '/healthz, /metrics',
    }));
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

/** The suite's admin service definition (see src/suite/services.ts). */
export const adminServiceDefinition: ServiceDefinition = {
  name: 'admin',
  enabled: (config) => config.admin !== undefined && config.admin.listen.length > 0,
  offersTls: () => false,
  start: (context) => AdminService.start(context),
};
