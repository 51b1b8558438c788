// Starts telegram-test-api (npm) on 127.0.0.1:$PORT for tests/test_emulator.py.
const TelegramServer = require('telegram-test-api');

const server = new TelegramServer({ port: Number(process.env.PORT), host: '127.0.0.1', storeTimeout: 60 });
server.start().then(() => {
  console.log(`ready ${server.config.apiURL}`);
});
process.on('SIGTERM', () => server.stop().then(() => process.exit(0)));
