package dev.lockmanager.sample.orders.fencing;

import java.util.UUID;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The fenced read-modify-write on H2 in PostgreSQL mode, as the sample runs by default.
 */
class H2FencedReadModifyWriteTests extends FencedReadModifyWriteContract {

	@Override
	DataSource dataSource() {
		DataSource dataSource = new DriverManagerDataSource("jdbc:h2:mem:fencing-" + UUID.randomUUID()
				+ ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1", "sa", "");
		createSchema(dataSource);
		return dataSource;
	}

}
