import express from 'express';

export function homeRouter(): express.Router {
  const router = express.Router();
  router.get('/', (req, res) => {
    if (req.session?.account) return res.redirect(303, '/incidents');
    res.render('home');
  });
  return router;
}
