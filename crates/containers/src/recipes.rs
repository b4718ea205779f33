//! The recipes of the server images, as data. Server flavors boot them and the command-line
//! client companions run their CLIs (the `mysql` CLI from the MySQL image, `mariadb` from the
//! MariaDB 11.8 image), so they live here, below both. The clients image's recipe belongs to
//! the `clients` crate (its context is the driver programs).

use crate::ImageRecipe;

/// MySQL 9.x from Debian sid (`mysql-server-core`, `mysql-client-core`).
pub const MYSQL_9: ImageRecipe = ImageRecipe {
    repository: "mysql-tls-harness/mysql",
    flavor: "9",
    suite: "sid",
    packages: include_str!("../../../images/mysql9/packages"),
    dockerfile: include_str!("../../../images/mysql9/Dockerfile"),
    context: &[("init.sql", include_str!("../../../images/mysql9/init.sql"))],
    context_paths: &[],
    wheels: None,
};

/// MariaDB 10.11 LTS from Debian bookworm (`mariadb-server-core`).
pub const MARIADB_10_11: ImageRecipe = ImageRecipe {
    repository: "mysql-tls-harness/mariadb",
    flavor: "10.11",
    suite: "bookworm",
    packages: include_str!("../../../images/mariadb10.11/packages"),
    dockerfile: include_str!("../../../images/mariadb/Dockerfile"),
    context: &[("init.sql", include_str!("../../../images/mariadb/init.sql"))],
    context_paths: &[],
    wheels: None,
};

/// MariaDB 11.8 LTS from Debian trixie (`mariadb-server-core`, and the `mariadb` CLI).
pub const MARIADB_11_8: ImageRecipe = ImageRecipe {
    repository: "mysql-tls-harness/mariadb",
    flavor: "11.8",
    suite: "trixie",
    packages: include_str!("../../../images/mariadb11.8/packages"),
    dockerfile: include_str!("../../../images/mariadb/Dockerfile"),
    context: &[("init.sql", include_str!("../../../images/mariadb/init.sql"))],
    context_paths: &[],
    wheels: None,
};
