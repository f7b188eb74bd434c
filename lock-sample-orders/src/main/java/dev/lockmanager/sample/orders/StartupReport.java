package dev.lockmanager.sample.orders;

import javax.sql.DataSource;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.stereotype.Component;

import dev.lockmanager.lock.LockManager;

/**
 * Says clearly, once the service is up, which Redis and which database it uses and whether orders are locked.
 */
@Component
class StartupReport {

	/** The fallback of {@code distributed-lock.http.api-key} in application.yml, for local development only. */
	static final String DEVELOPMENT_API_KEY = "dev-only-lock-api-key-not-a-secret";

	private static final Log logger = LogFactory.getLog(StartupReport.class);

	private final Environment environment;

	private final DataSource dataSource;

	private final ObjectProvider<LockManager> lockManager;

	StartupReport(Environment environment, DataSource dataSource, ObjectProvider<LockManager> lockManager) {
		this.environment = environment;
		this.dataSource = dataSource;
		this.lockManager = lockManager;
	}

	@EventListener(ApplicationReadyEvent.class)
	void report() throws Exception {
		String database = JdbcUtils.extractDatabaseMetaData(this.dataSource,
				(metaData) -> metaData.getDatabaseProductName() + " " + metaData.getDatabaseProductVersion() + " at "
						+ metaData.getURL());
		logger.info("Database: " + database);
		if (this.lockManager.getIfAvailable() == null) {
			logger.warn("Locking is OFF (distributed-lock.enabled=false): concurrent orders can oversell."
					+ " This mode exists only to demonstrate the race.");
		}
		else {
			logger.info("Locks: Redis at " + this.environment.getProperty("spring.data.redis.host") + ":"
					+ this.environment.getProperty("spring.data.redis.port") + ", port "
					+ this.environment.getProperty("local.server.port") + " serves POST /order");
			reportLockApi();
		}
	}

	private void reportLockApi() {
		if (!this.environment.getProperty("distributed-lock.http.enabled", Boolean.class, false)) {
			return;
		}
		logger.info("HTTP lock API: " + this.environment.getProperty("distributed-lock.http.base-path", "/locks")
				+ "/{name}[/{key}] (clients send 'Authorization: Bearer <LOCK_API_KEY>')");
		if (DEVELOPMENT_API_KEY.equals(this.environment.getProperty("distributed-lock.http.api-key"))) {
			logger.warn("The HTTP lock API uses the development API key of application.yml: set LOCK_API_KEY for "
					+ "anything but local development");
		}
	}

}
