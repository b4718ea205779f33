-- Runs once at image build, inside `mysqld --initialize-insecure --init-file`.
-- The account every client cell logs in as. Test credentials, not a secret.
CREATE USER 'harness'@'%' IDENTIFIED BY 'harness-password';
GRANT ALL PRIVILEGES ON *.* TO 'harness'@'%' WITH GRANT OPTION;
