// type-graphql, with the Reflect metadata polyfill it needs loaded first: its decorators read
// through Reflect when a class is declared, whichever schema file is evaluated first. Every schema
// file imports type-graphql from here (a lint rule says so).
import 'reflect-metadata';

export * from 'type-graphql';
