package dev.lockmanager.sample.orders.fencing;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.lockmanager.sample.orders.postgres.PostgresServerExtension;

/**
 * The fenced read-modify-write on a real PostgreSQL server. Skipped when PostgreSQL is not installed.
 */
class PostgresFencedReadModifyWriteTests extends FencedReadModifyWriteContract {

	@RegisterExtension
	static final PostgresServerExtension postgres = new PostgresServerExtension();

	private DataSource dataSource;

	@Override
	DataSource dataSource() {
		this.dataSource = new DriverManagerDataSource(postgres.jdbcUrl(), PostgresServerExtension.USER, "");
		createSchema(this.dataSource);
		return this.dataSource;
	}

	@AfterEach
	void dropTables() {
		JdbcClient.create(this.dataSource).sql("DROP TABLE tb_order, tb_inventory").update();
	}

}
